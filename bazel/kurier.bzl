"""Project macros: every Kurier target is declared through these, so compiler
flags, warnings and the proto code generator live in one place."""

# Warnings are errors in our own code; generated code gets the plain flags.
KURIER_COPTS = [
    "-Wall",
    "-Wextra",
    "-Werror",
    "-Wno-unused-parameter",
    "-Wno-missing-field-initializers",
]

def kurier_cc_library(name, copts = [], **kwargs):
    native.cc_library(name = name, copts = KURIER_COPTS + copts, **kwargs)

def kurier_cc_binary(name, copts = [], **kwargs):
    native.cc_binary(name = name, copts = KURIER_COPTS + copts, **kwargs)

def kurier_cc_test(name, copts = [], deps = [], **kwargs):
    native.cc_test(
        name = name,
        copts = KURIER_COPTS + copts,
        deps = deps + ["//third_party:gtest_main"],
        **kwargs
    )

def kurier_cc_fuzz_test(name, srcs, deps = [], **kwargs):
    """A libFuzzer target (defines LLVMFuzzerTestOneInput). Under the default
    gcc toolchain it links a small driver that replays the files given as
    arguments (or a few fixed inputs), so `bazel test` compiles and smoke-runs
    it; real fuzzing links the same sources with clang -fsanitize=fuzzer."""
    native.cc_test(
        name = name,
        srcs = srcs,
        copts = KURIER_COPTS,
        deps = deps + ["//bazel:fuzz_replay_main"],
        **kwargs
    )

def kurier_proto_library(name, src, deps = [], grpc = False, visibility = None):
    """One cc_library for one .proto file: protoc (and grpc_cpp_plugin when
    grpc = True) run from the workspace root, so a proto at
    proto/kurier/x/v1/y.proto is included as "proto/kurier/x/v1/y.pb.h"."""
    base = src[:-len(".proto")]
    pkg = native.package_name()
    outs = [base + ".pb.h", base + ".pb.cc"]
    if grpc:
        outs += [base + ".grpc.pb.h", base + ".grpc.pb.cc"]
    plugin = ""
    if grpc:
        plugin = " --plugin=protoc-gen-grpc=/usr/bin/grpc_cpp_plugin --grpc_out=$(GENDIR)"
    native.genrule(
        name = name + "_gen",
        srcs = [src] + [d + "_srcs" for d in deps],
        outs = outs,
        cmd = "protoc -I. -I/usr/include --cpp_out=$(GENDIR)" + plugin + " " + pkg + "/" + src,
    )
    native.filegroup(name = name + "_srcs", srcs = [src] + [d + "_srcs" for d in deps], visibility = visibility)
    native.cc_library(
        name = name,
        srcs = [o for o in outs if o.endswith(".cc")],
        hdrs = [o for o in outs if o.endswith(".h")],
        deps = deps + ["//third_party:protobuf"] + (["//third_party:grpc"] if grpc else []),
        visibility = visibility,
    )
