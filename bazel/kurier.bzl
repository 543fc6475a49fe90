"""Project macros: every Kurier target is declared through these, so compiler
flags, warnings and the proto code generator live in one place."""

load("//bazel:libfuzzer.bzl", "kurier_libfuzzer_binary")

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

def kurier_cc_fuzz_test(name, srcs, deps = [], corpus = [], dict = None, fuzz_seconds = 20, copts = [], tags = [], **kwargs):
    """A libFuzzer target (srcs define LLVMFuzzerTestOneInput), as three targets:

    <name>            cc_test under gcc: replays the corpus through the target
                      (bazel/fuzz_replay_main.cc), so every build checks it.
    <name>_libfuzzer  the real fuzzer: the same sources and the sources of
                      `deps` built with clang -fsanitize=fuzzer,address,
                      undefined (bazel/libfuzzer.bzl). Run it by hand to fuzz
                      longer (DEVELOPERS.md, "Fuzzing").
    <name>_run        sh_test: fuzzes for `fuzz_seconds` from the corpus and
                      fails on a crash, leak, timeout or sanitizer report
                      (bazel/fuzz_run.sh). Tagged "fuzz".

    corpus: seed input files; dict: an optional libFuzzer dictionary file.
    """
    native.filegroup(name = name + "_corpus", srcs = corpus)
    native.cc_test(
        name = name,
        srcs = srcs,
        copts = KURIER_COPTS + copts,
        deps = deps + ["//bazel:fuzz_replay_main"],
        args = ["$(locations :%s_corpus)" % name] if corpus else [],
        data = [":%s_corpus" % name],
        tags = tags,
        **kwargs
    )
    kurier_libfuzzer_binary(
        name = name + "_libfuzzer",
        srcs = srcs,
        deps = deps,
        copts = copts,
        tags = tags + ["fuzz"],
        testonly = True,
    )
    native.sh_test(
        name = name + "_run",
        size = "medium",
        srcs = ["//bazel:fuzz_run.sh"],
        args = [
            "$(location :%s_libfuzzer)" % name,
            str(fuzz_seconds),
            "$(location %s)" % dict if dict else "-",
        ] + (["$(locations :%s_corpus)" % name] if corpus else []),
        data = [":%s_libfuzzer" % name, ":%s_corpus" % name] + ([dict] if dict else []),
        tags = tags + ["fuzz"],
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
