"""Real libFuzzer binaries next to the gcc toolchain.

Bazel's autoconfigured C++ toolchain is gcc, which has no libFuzzer. This
rule builds one fuzz binary with Debian's clang instead, in a single action:
it compiles the fuzz target's sources and every source of the cc_library
targets it depends on (collected by an aspect), with
-fsanitize=fuzzer,address,undefined, and links the system libraries those
targets name in their linkopts. gcc-built objects are never mixed in, so the
whole binary is instrumented for coverage and the sanitizers. clang and gcc
share libstdc++, so Debian's Abseil links as it is.

Use it through kurier_cc_fuzz_test in kurier.bzl."""

# Pinned to the clang whose runtime libraries (libclang-rt-14-dev) ./kurier
# installs.
CLANG = "/usr/bin/clang++-14"

LIBFUZZER_COPTS = [
    "-std=c++20",
    "-g",
    "-O1",
    "-fno-omit-frame-pointer",
    "-fsanitize=fuzzer,address,undefined",
    "-fno-sanitize-recover=all",
    # Warnings are gated by the gcc build (-Werror there); clang's extra
    # warnings are shown here but do not fail the fuzz build.
    "-Wall",
    "-Wextra",
    "-Wno-unused-parameter",
    "-Wno-missing-field-initializers",
]

_SOURCE_EXTENSIONS = ["cc", "cpp", "cxx", "c"]

FuzzSourcesInfo = provider(
    doc = "The sources of a cc_library and of the cc_library targets below it.",
    fields = {"srcs": "depset of source files to compile"},
)

def _fuzz_sources_aspect_impl(target, ctx):
    srcs = []
    if ctx.rule.kind == "cc_library":
        for f in getattr(ctx.rule.files, "srcs", []):
            if f.extension in _SOURCE_EXTENSIONS:
                srcs.append(f)
    below = [d[FuzzSourcesInfo].srcs for d in getattr(ctx.rule.attr, "deps", []) if FuzzSourcesInfo in d]
    return [FuzzSourcesInfo(srcs = depset(srcs, transitive = below))]

fuzz_sources_aspect = aspect(
    implementation = _fuzz_sources_aspect_impl,
    attr_aspects = ["deps"],
)

def _uniq(items):
    seen = {}
    out = []
    for item in items:
        if item not in seen:
            seen[item] = True
            out.append(item)
    return out

def _libfuzzer_binary_impl(ctx):
    out = ctx.actions.declare_file(ctx.label.name)
    srcs = [f for f in ctx.files.srcs if f.extension in _SOURCE_EXTENSIONS]
    dep_srcs = depset(transitive = [d[FuzzSourcesInfo].srcs for d in ctx.attr.deps])
    contexts = [d[CcInfo].compilation_context for d in ctx.attr.deps]
    headers = depset(
        [f for f in ctx.files.srcs if f.extension not in _SOURCE_EXTENSIONS],
        transitive = [c.headers for c in contexts],
    )

    args = ctx.actions.args()
    args.add_all(LIBFUZZER_COPTS + ctx.attr.copts)
    quote_includes = [".", ctx.bin_dir.path]
    includes = []
    system_includes = []
    defines = []
    for c in contexts:
        quote_includes.extend(c.quote_includes.to_list())
        includes.extend(c.includes.to_list())
        system_includes.extend(c.system_includes.to_list())
        defines.extend(c.defines.to_list())
    args.add_all(_uniq(quote_includes), before_each = "-iquote")
    args.add_all(_uniq(includes), before_each = "-I")
    args.add_all(_uniq(system_includes), before_each = "-isystem")
    args.add_all(_uniq(defines), format_each = "-D%s")
    args.add_all(srcs)
    args.add_all(dep_srcs)
    args.add_all(["-o", out])

    # The system libraries of the deps (third_party/BUILD.bazel linkopts).
    link_flags = []
    for d in ctx.attr.deps:
        for linker_input in d[CcInfo].linking_context.linker_inputs.to_list():
            link_flags.extend(linker_input.user_link_flags)
    args.add_all(_uniq(link_flags))

    ctx.actions.run(
        executable = CLANG,
        arguments = [args],
        inputs = depset(srcs, transitive = [dep_srcs, headers]),
        outputs = [out],
        mnemonic = "LibFuzzerLink",
        progress_message = "Building libFuzzer binary %s" % ctx.label,
        use_default_shell_env = True,
    )
    return [DefaultInfo(executable = out, files = depset([out]))]

kurier_libfuzzer_binary = rule(
    implementation = _libfuzzer_binary_impl,
    doc = "A libFuzzer binary built with clang from `srcs` and the sources of `deps`.",
    executable = True,
    attrs = {
        "srcs": attr.label_list(allow_files = True),
        "deps": attr.label_list(providers = [CcInfo], aspects = [fuzz_sources_aspect]),
        "copts": attr.string_list(),
    },
)
