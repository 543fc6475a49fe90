#include "services/common/config/config_loader.h"

#include <unistd.h>  // environ

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <exception>
#include <fstream>
#include <sstream>
#include <thread>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "google/protobuf/descriptor.h"
#include "yaml-cpp/yaml.h"

namespace kurier::config {
namespace {

// Debian builds Abseil with its own absl::string_view (not an alias of
// std::string_view), so the public std::string_view arguments are converted
// once, here.
absl::string_view Absl(std::string_view s) { return absl::string_view(s.data(), s.size()); }

using google::protobuf::Descriptor;
using google::protobuf::EnumValueDescriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

absl::Status UnknownKey(absl::string_view key) {
  return absl::InvalidArgumentError(absl::StrCat("unknown configuration key \"", key, "\""));
}

// Keeps the code of `status` and says where the bad setting came from.
absl::Status Annotate(const absl::Status& status, absl::string_view where) {
  if (status.ok()) return status;
  return absl::Status(status.code(), absl::StrCat(where, ": ", status.message()));
}

// Maps and repeated messages have no obvious flag or variable spelling, so the
// loader refuses them rather than guess; the schema has none today.
absl::Status CheckSupported(const FieldDescriptor* f, absl::string_view key) {
  if (f->is_repeated() && f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
    return absl::InvalidArgumentError(
        absl::StrCat("configuration key \"", key,
                     "\" is a list of sections, which the loader does not support"));
  }
  return absl::OkStatus();
}

// Sets (or, for a repeated field, appends) one value parsed from its text.
absl::Status SetScalar(Message* msg, const FieldDescriptor* f, absl::string_view text,
                       absl::string_view key) {
  const Reflection* r = msg->GetReflection();
  const bool rep = f->is_repeated();
  auto bad = [&](absl::string_view expected) {
    return absl::InvalidArgumentError(absl::StrCat(
        "invalid value \"", text, "\" for configuration key \"", key, "\": expected ", expected));
  };
  switch (f->cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING:
      rep ? r->AddString(msg, f, std::string(text)) : r->SetString(msg, f, std::string(text));
      return absl::OkStatus();
    case FieldDescriptor::CPPTYPE_BOOL: {
      bool v;
      if (!absl::SimpleAtob(text, &v)) return bad("true or false");
      rep ? r->AddBool(msg, f, v) : r->SetBool(msg, f, v);
      return absl::OkStatus();
    }
    // SimpleAtoi rejects trailing junk, out-of-range values and, for the
    // unsigned types, a minus sign.
    case FieldDescriptor::CPPTYPE_INT32: {
      int32_t v;
      if (!absl::SimpleAtoi(text, &v)) return bad(f->type_name());
      rep ? r->AddInt32(msg, f, v) : r->SetInt32(msg, f, v);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_INT64: {
      int64_t v;
      if (!absl::SimpleAtoi(text, &v)) return bad(f->type_name());
      rep ? r->AddInt64(msg, f, v) : r->SetInt64(msg, f, v);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_UINT32: {
      uint32_t v;
      if (!absl::SimpleAtoi(text, &v)) return bad(f->type_name());
      rep ? r->AddUInt32(msg, f, v) : r->SetUInt32(msg, f, v);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_UINT64: {
      uint64_t v;
      if (!absl::SimpleAtoi(text, &v)) return bad(f->type_name());
      rep ? r->AddUInt64(msg, f, v) : r->SetUInt64(msg, f, v);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_DOUBLE: {
      double v;
      if (!absl::SimpleAtod(text, &v)) return bad("a number");
      rep ? r->AddDouble(msg, f, v) : r->SetDouble(msg, f, v);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_FLOAT: {
      float v;
      if (!absl::SimpleAtof(text, &v)) return bad("a number");
      rep ? r->AddFloat(msg, f, v) : r->SetFloat(msg, f, v);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_ENUM: {
      std::vector<std::string> names;
      for (int i = 0; i < f->enum_type()->value_count(); ++i) {
        const EnumValueDescriptor* e = f->enum_type()->value(i);
        if (absl::EqualsIgnoreCase(e->name(), text)) {
          rep ? r->AddEnum(msg, f, e) : r->SetEnum(msg, f, e);
          return absl::OkStatus();
        }
        names.push_back(e->name());
      }
      return bad(absl::StrCat("one of ", absl::StrJoin(names, ", ")));
    }
    case FieldDescriptor::CPPTYPE_MESSAGE:
      break;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("configuration key \"", key, "\" is a section, not a value"));
}

// Appends " at line N" so a user can find the bad entry in a long file.
absl::Status AtLine(const absl::Status& status, const YAML::Node& node) {
  if (status.ok() || node.Mark().is_null()) return status;
  return absl::Status(status.code(),
                      absl::StrCat(status.message(), " at line ", node.Mark().line + 1));
}

absl::Status MergeNode(const YAML::Node& node, Message* msg, const std::string& prefix) {
  // A section with every entry commented out is null: nothing to merge.
  if (node.IsNull()) return absl::OkStatus();
  if (!node.IsMap()) {
    return AtLine(absl::InvalidArgumentError(
                      prefix.empty() ? std::string("configuration must be a YAML mapping")
                                     : absl::StrCat("configuration key \"", prefix,
                                                    "\" must be a mapping of keys to values")),
                  node);
  }
  const Descriptor* d = msg->GetDescriptor();
  const Reflection* r = msg->GetReflection();
  for (const auto& kv : node) {
    const YAML::Node& value = kv.second;
    if (!kv.first.IsScalar()) {
      return AtLine(absl::InvalidArgumentError(absl::StrCat(
                        "configuration keys must be plain words (under \"", prefix, "\")")),
                    kv.first);
    }
    const std::string& name = kv.first.Scalar();
    const std::string key = prefix.empty() ? name : absl::StrCat(prefix, ".", name);
    const FieldDescriptor* f = d->FindFieldByName(name);
    if (f == nullptr) return AtLine(UnknownKey(key), kv.first);
    if (absl::Status s = CheckSupported(f, key); !s.ok()) return AtLine(s, kv.first);

    if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
      if (absl::Status s = MergeNode(value, r->MutableMessage(msg, f), key); !s.ok()) return s;
      continue;
    }
    if (value.IsNull()) {
      return AtLine(
          absl::InvalidArgumentError(absl::StrCat("configuration key \"", key, "\" has no value")),
          kv.first);
    }
    if (f->is_repeated()) {
      if (!value.IsSequence()) {
        return AtLine(absl::InvalidArgumentError(
                          absl::StrCat("configuration key \"", key, "\" must be a list")),
                      value);
      }
      // A list replaces the one from an earlier layer instead of growing it.
      r->ClearField(msg, f);
      for (const auto& item : value) {
        if (!item.IsScalar()) {
          return AtLine(absl::InvalidArgumentError(absl::StrCat(
                            "configuration key \"", key, "\" must be a list of single values")),
                        item);
        }
        if (absl::Status s = SetScalar(msg, f, item.Scalar(), key); !s.ok()) {
          return AtLine(s, item);
        }
      }
      continue;
    }
    if (!value.IsScalar()) {
      return AtLine(absl::InvalidArgumentError(
                        absl::StrCat("configuration key \"", key, "\" must be a single value")),
                    value);
    }
    if (absl::Status s = SetScalar(msg, f, value.Scalar(), key); !s.ok()) return AtLine(s, value);
  }
  return absl::OkStatus();
}

// Parsed command line: --config files in order, --key=value settings in order.
struct Args {
  std::vector<std::string> config_files;
  std::vector<std::pair<std::string, std::string>> settings;
};

absl::Status ParseArgs(const std::vector<std::string>& args, Args* out,
                       std::vector<std::string>* rest) {
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--") {
      if (rest != nullptr) rest->insert(rest->end(), args.begin() + i + 1, args.end());
      break;
    }
    if (!absl::StartsWith(arg, "--")) {
      if (rest != nullptr) rest->push_back(arg);
      continue;
    }
    const size_t eq = arg.find('=');
    if (eq == std::string::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat("flag \"", arg, "\" has no value; write --key=value"));
    }
    std::string key = arg.substr(2, eq - 2);
    std::string value = arg.substr(eq + 1);
    if (key == "config") {
      if (value.empty()) return absl::InvalidArgumentError("flag --config= names no file");
      out->config_files.push_back(std::move(value));
    } else {
      out->settings.emplace_back(std::move(key), std::move(value));
    }
  }
  return absl::OkStatus();
}

absl::Status MergeFile(const std::string& path, Message* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::NotFoundError(
        absl::StrCat("cannot read config file \"", path, "\": ", std::strerror(errno)));
  }
  std::ostringstream text;
  text << in.rdbuf();
  return Annotate(MergeYaml(text.str(), out), absl::StrCat("config file \"", path, "\""));
}

// Applies KURIER_<SECTION>__<FIELD>=value for every known top-level section.
absl::Status MergeEnv(const std::map<std::string, std::string>& env, Message* out) {
  const Descriptor* d = out->GetDescriptor();
  for (const auto& [name, value] : env) {
    absl::string_view rest = name;
    if (!absl::ConsumePrefix(&rest, "KURIER_")) continue;
    bool known_section = false;
    for (int i = 0; i < d->field_count() && !known_section; ++i) {
      known_section =
          absl::StartsWith(rest, absl::StrCat(absl::AsciiStrToUpper(d->field(i)->name()), "__"));
    }
    // Other KURIER_* variables may belong to scripts or tests; not ours.
    if (!known_section) continue;
    const std::string path = absl::AsciiStrToLower(absl::StrReplaceAll(rest, {{"__", "."}}));
    if (absl::Status s = SetField(out, path, value); !s.ok()) {
      return Annotate(s, absl::StrCat("environment variable ", name));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::Config> Load(const std::vector<std::string>& args,
                                const std::map<std::string, std::string>& env,
                                std::vector<std::string>* rest) {
  Args parsed;
  if (absl::Status s = ParseArgs(args, &parsed, rest); !s.ok()) return s;
  v1::Config config;
  for (const std::string& file : parsed.config_files) {
    if (absl::Status s = MergeFile(file, &config); !s.ok()) return s;
  }
  if (absl::Status s = MergeEnv(env, &config); !s.ok()) return s;
  for (const auto& [key, value] : parsed.settings) {
    if (absl::Status s = SetField(&config, key, value); !s.ok()) {
      return Annotate(s, absl::StrCat("flag --", key));
    }
  }
  // Last, so that any explicit non-zero value from a layer above wins.
  ApplyDefaults(&config);
  return config;
}

}  // namespace

absl::Status MergeYaml(std::string_view yaml_text, google::protobuf::Message* out) {
  // yaml-cpp reports errors by throwing; they stop here.
  try {
    return MergeNode(YAML::Load(std::string(yaml_text)), out, "");
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("invalid YAML: ", e.what()));
  } catch (const std::exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("cannot read YAML: ", e.what()));
  }
}

absl::Status SetField(google::protobuf::Message* msg, std::string_view dotted_path,
                      std::string_view value) {
  const absl::string_view path = Absl(dotted_path);
  // Walk the descriptors first so an unknown key leaves `msg` untouched.
  std::vector<const FieldDescriptor*> chain;
  const Descriptor* d = msg->GetDescriptor();
  for (absl::string_view part : absl::StrSplit(path, '.')) {
    const FieldDescriptor* f = d == nullptr ? nullptr : d->FindFieldByName(std::string(part));
    if (f == nullptr) return UnknownKey(path);
    chain.push_back(f);
    d = f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE && !f->is_repeated() ? f->message_type()
                                                                               : nullptr;
  }
  Message* holder = msg;
  for (size_t i = 0; i + 1 < chain.size(); ++i) {
    holder = holder->GetReflection()->MutableMessage(holder, chain[i]);
  }
  const FieldDescriptor* f = chain.back();
  if (absl::Status s = CheckSupported(f, path); !s.ok()) return s;
  if (!f->is_repeated()) return SetScalar(holder, f, Absl(value), path);

  // Flags and variables spell a list as "a, b, c"; it replaces the old list.
  holder->GetReflection()->ClearField(holder, f);
  for (absl::string_view item : absl::StrSplit(Absl(value), ',', absl::SkipWhitespace())) {
    if (absl::Status s = SetScalar(holder, f, absl::StripAsciiWhitespace(item), path); !s.ok()) {
      return s;
    }
  }
  return absl::OkStatus();
}

namespace {

void ApplyTlsDefaults(v1::TlsConfig* tls) {
  if (tls->self_signed_dir().empty()) tls->set_self_signed_dir("./data/tls");
}

void ApplyLimitsDefaults(v1::LimitsConfig* limits) {
  if (limits->max_connections() == 0) limits->set_max_connections(20000);
  if (limits->max_connections_per_ip() == 0) limits->set_max_connections_per_ip(50);
  if (limits->idle_timeout_seconds() == 0) limits->set_idle_timeout_seconds(60);
  if (limits->auth_idle_timeout_seconds() == 0) limits->set_auth_idle_timeout_seconds(600);
  if (limits->auth_failures_before_delay() == 0) limits->set_auth_failures_before_delay(3);
  if (limits->auth_max_delay_ms() == 0) limits->set_auth_max_delay_ms(5000);
  if (limits->auth_failures_before_lockout() == 0) limits->set_auth_failures_before_lockout(10);
  if (limits->auth_lockout_seconds() == 0) limits->set_auth_lockout_seconds(300);
  if (limits->write_timeout_seconds() == 0) limits->set_write_timeout_seconds(60);
}

}  // namespace

void ApplyDefaults(v1::Config* config) {
  // proto3 scalars have no presence: a zero/empty value is taken as "unset".
  v1::StoreConfig* store = config->mutable_store();
  if (store->data_dir().empty()) store->set_data_dir("./data/store");
  if (store->listen().empty()) store->set_listen("127.0.0.1:17000");
  // An empty metrics_listen is indistinguishable from unset, so it gets the
  // default; "off" is the way to disable metrics.
  if (store->metrics_listen().empty()) store->set_metrics_listen("127.0.0.1:17080");
  if (store->durability() == v1::DURABILITY_UNSPECIFIED) store->set_durability(v1::SYNC);
  if (store->max_message_bytes() == 0) store->set_max_message_bytes(50ull << 20);
  if (store->scrypt_n() == 0) store->set_scrypt_n(16384);
  if (store->block_cache_mb() == 0) store->set_block_cache_mb(128);
  if (store->blob_cache_mb() == 0) store->set_blob_cache_mb(256);
  // config.proto says 0 disables the auth cache, but an explicit 0 cannot be
  // told from unset, so it becomes 60 too. Making the field `optional` in
  // config.proto would allow disabling it.
  if (store->auth_cache_seconds() == 0) store->set_auth_cache_seconds(60);
  if (store->worker_threads() == 0) store->set_worker_threads(64);
  if (store->retention_interval_seconds() == 0) store->set_retention_interval_seconds(3600);
  if (store->idempotency_ttl_seconds() == 0) store->set_idempotency_ttl_seconds(86400);
  if (store->pop3_policy() == v1::POP3_POLICY_UNSPECIFIED) store->set_pop3_policy(v1::DELETE);
  if (store->pop3_keep_days() == 0) store->set_pop3_keep_days(30);
  // default_quota_bytes (0 = unlimited) and port_file (empty = none) default to zero.

  v1::StoreClientConfig* client = config->mutable_store_client();
  if (client->shards().empty()) client->add_shards("127.0.0.1:17000");
  if (client->deadline_ms() == 0) client->set_deadline_ms(5000);
  if (client->keepalive_seconds() == 0) client->set_keepalive_seconds(30);
  if (client->keepalive_timeout_seconds() == 0) client->set_keepalive_timeout_seconds(10);

  v1::LogConfig* log = config->mutable_log();
  if (log->level().empty()) log->set_level("info");

  v1::Pop3Config* pop3 = config->mutable_pop3();
  if (pop3->listen().empty()) pop3->set_listen("127.0.0.1:10110");
  if (pop3->tls_listen().empty()) pop3->set_tls_listen("127.0.0.1:10995");
  if (pop3->metrics_listen().empty()) pop3->set_metrics_listen("127.0.0.1:10180");
  if (pop3->health_listen().empty()) pop3->set_health_listen("127.0.0.1:10181");
  if (pop3->hostname().empty()) pop3->set_hostname("localhost");
  if (pop3->io_threads() == 0) pop3->set_io_threads(std::max(1u, std::thread::hardware_concurrency()));
  if (pop3->lease_seconds() == 0) pop3->set_lease_seconds(30);
  if (pop3->shutdown_grace_seconds() == 0) pop3->set_shutdown_grace_seconds(10);
  ApplyTlsDefaults(pop3->mutable_tls());
  ApplyLimitsDefaults(pop3->mutable_limits());

  v1::SmtpConfig* smtp = config->mutable_smtp();
  if (smtp->listen().empty()) smtp->set_listen("127.0.0.1:10025");
  if (smtp->submission_listen().empty()) smtp->set_submission_listen("127.0.0.1:10587");
  if (smtp->submissions_listen().empty()) smtp->set_submissions_listen("127.0.0.1:10465");
  if (smtp->metrics_listen().empty()) smtp->set_metrics_listen("127.0.0.1:10080");
  if (smtp->health_listen().empty()) smtp->set_health_listen("127.0.0.1:10081");
  if (smtp->hostname().empty()) smtp->set_hostname("localhost");
  if (smtp->io_threads() == 0) smtp->set_io_threads(std::max(1u, std::thread::hardware_concurrency()));
  if (smtp->shutdown_grace_seconds() == 0) smtp->set_shutdown_grace_seconds(10);
  if (smtp->max_message_bytes() == 0) smtp->set_max_message_bytes(35ull << 20);
  if (smtp->max_recipients() == 0) smtp->set_max_recipients(100);
  if (smtp->max_errors() == 0) smtp->set_max_errors(20);
  if (smtp->command_timeout_seconds() == 0) smtp->set_command_timeout_seconds(300);
  if (smtp->data_timeout_seconds() == 0) smtp->set_data_timeout_seconds(180);
  if (smtp->connections_per_ip_per_minute() == 0) smtp->set_connections_per_ip_per_minute(600);
  if (smtp->messages_per_ip_per_minute() == 0) smtp->set_messages_per_ip_per_minute(6000);
  if (!smtp->has_recipient_cache_seconds()) smtp->set_recipient_cache_seconds(10);
  ApplyTlsDefaults(smtp->mutable_tls());
  ApplyLimitsDefaults(smtp->mutable_limits());

  v1::ImapConfig* imap = config->mutable_imap();
  if (imap->listen().empty()) imap->set_listen("127.0.0.1:10143");
  if (imap->tls_listen().empty()) imap->set_tls_listen("127.0.0.1:10993");
  if (imap->metrics_listen().empty()) imap->set_metrics_listen("127.0.0.1:10280");
  if (imap->health_listen().empty()) imap->set_health_listen("127.0.0.1:10281");
  if (imap->hostname().empty()) imap->set_hostname("localhost");
  if (imap->io_threads() == 0) imap->set_io_threads(std::max(1u, std::thread::hardware_concurrency()));
  if (imap->shutdown_grace_seconds() == 0) imap->set_shutdown_grace_seconds(10);
  if (imap->max_message_bytes() == 0) imap->set_max_message_bytes(50ull << 20);
  if (imap->idle_seconds() == 0) imap->set_idle_seconds(1800);
  if (imap->max_bad_commands() == 0) imap->set_max_bad_commands(20);
  if (imap->search_cache_mb() == 0) imap->set_search_cache_mb(64);
  if (imap->content_cache_mb() == 0) imap->set_content_cache_mb(256);
  if (imap->content_cache_max_message_kb() == 0) imap->set_content_cache_max_message_kb(1024);
  // RFC 9051 5.4: an authenticated client may stay silent for 30 minutes.
  if (imap->limits().auth_idle_timeout_seconds() == 0) imap->mutable_limits()->set_auth_idle_timeout_seconds(1800);
  ApplyTlsDefaults(imap->mutable_tls());
  ApplyLimitsDefaults(imap->mutable_limits());
}

absl::StatusOr<v1::Config> LoadConfig(const std::vector<std::string>& args,
                                      const std::map<std::string, std::string>& env) {
  return Load(args, env, nullptr);
}

absl::StatusOr<v1::Config> LoadConfigFromMain(int argc, char** argv,
                                              std::vector<std::string>* rest) {
  std::vector<std::string> args;
  for (int i = 1; i < argc; ++i) args.emplace_back(argv[i]);
  std::map<std::string, std::string> env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string_view entry = *e;
    const size_t eq = entry.find('=');
    if (eq == std::string_view::npos) continue;
    env.emplace(entry.substr(0, eq), entry.substr(eq + 1));
  }
  return Load(args, env, rest);
}

}  // namespace kurier::config
