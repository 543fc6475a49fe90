// Driver for fuzz targets under the default (gcc) toolchain: replays each file
// named on the command line, or a few fixed inputs when none is given, through
// LLVMFuzzerTestOneInput. Real fuzzing: the <name>_libfuzzer target of
// kurier_cc_fuzz_test (bazel/libfuzzer.bzl).
#include <cstddef>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

int main(int argc, char** argv) {
  std::vector<std::string> inputs;
  for (int i = 1; i < argc; ++i) {
    std::ifstream in(argv[i], std::ios::binary);
    inputs.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  if (inputs.empty()) {
    inputs = {"", "\r\n", std::string(4096, 'A'), std::string("\0\xff\r\n", 4)};
  }
  for (const std::string& input : inputs) {
    LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(input.data()), input.size());
  }
  return 0;
}
