// The configuration loader shared by every Kurier service.
//
// A service's configuration is one kurier.config.v1.Config message, built in
// layers, each overriding the one before:
//   1. the YAML file(s) named by --config=FILE, in the order given;
//   2. environment variables KURIER_<SECTION>__<FIELD> (e.g.
//      KURIER_STORE__DATA_DIR), only for names whose part after KURIER_ is a
//      top-level section followed by "__"; other KURIER_* names are ignored;
//   3. flags --<section>.<field>=value (e.g. --store.data_dir=/tmp/x).
// Finally every field still at zero/empty gets its documented default.
//
// The loader is generic over the message (protobuf reflection): string, bool,
// integer, double and enum fields (enums by name, case-insensitive), nested
// messages, and repeated scalars (a YAML sequence, or a comma-separated list
// in a flag or variable; either replaces the whole list).
//
// Errors are absl::Status values (InvalidArgument, or NotFound for an
// unreadable --config file) whose message names the offending key, e.g.
// `unknown configuration key "store.lisen"`. Nothing throws.
#ifndef KURIER_SERVICES_COMMON_CONFIG_CONFIG_LOADER_H_
#define KURIER_SERVICES_COMMON_CONFIG_CONFIG_LOADER_H_

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "google/protobuf/message.h"
#include "proto/kurier/config/v1/config.pb.h"

namespace kurier::config {

// Builds the configuration of a service: the YAML file named by --config=FILE
// (if any), then environment variables, then flags, then defaults for fields
// still unset. `args` are the command-line arguments without the program
// name; positional arguments (not starting with "--", or after "--") are
// accepted and ignored here. `env` maps variable names to values.
absl::StatusOr<kurier::config::v1::Config> LoadConfig(
    const std::vector<std::string>& args, const std::map<std::string, std::string>& env);

// Merges a YAML mapping into `out`: nested mappings fill nested messages,
// sequences replace repeated fields, scalars set fields. An empty document
// changes nothing. Errors name the dotted key path, e.g. "store.listen".
absl::Status MergeYaml(std::string_view yaml_text, google::protobuf::Message* out);

// Sets the scalar or repeated-scalar field at `dotted_path` (e.g.
// "store.scrypt_n") from its text form (e.g. "1024"). A repeated field takes
// a comma-separated list, which replaces its contents.
absl::Status SetField(google::protobuf::Message* msg, std::string_view dotted_path,
                      std::string_view value);

// Fills every field still at zero/empty with its default as documented in
// config.proto; fields with a non-zero value are kept.
void ApplyDefaults(kurier::config::v1::Config* config);

// LoadConfig for main(): args from argv[1..], env from the process
// environment. Positional arguments are appended to *rest when it is given.
absl::StatusOr<kurier::config::v1::Config> LoadConfigFromMain(
    int argc, char** argv, std::vector<std::string>* rest = nullptr);

}  // namespace kurier::config

#endif  // KURIER_SERVICES_COMMON_CONFIG_CONFIG_LOADER_H_
