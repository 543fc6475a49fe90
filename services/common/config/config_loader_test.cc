#include "services/common/config/config_loader.h"

#include <stdlib.h>  // setenv, unsetenv

#include <fstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace kurier::config {
namespace {

using ::kurier::config::v1::Config;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::string WriteTempFile(const std::string& name, const std::string& text) {
  const std::string path = testing::TempDir() + "/" + name;
  std::ofstream(path) << text;
  return path;
}

TEST(ApplyDefaultsTest, FillsEveryDocumentedDefault) {
  Config c;
  ApplyDefaults(&c);
  EXPECT_EQ(c.store().data_dir(), "./data/store");
  EXPECT_EQ(c.store().listen(), "127.0.0.1:17000");
  EXPECT_EQ(c.store().metrics_listen(), "127.0.0.1:17080");
  EXPECT_EQ(c.store().durability(), v1::SYNC);
  EXPECT_EQ(c.store().max_message_bytes(), 50u * 1024 * 1024);
  EXPECT_EQ(c.store().default_quota_bytes(), 0u);
  EXPECT_EQ(c.store().scrypt_n(), 16384u);
  EXPECT_EQ(c.store().block_cache_mb(), 128u);
  EXPECT_EQ(c.store().blob_cache_mb(), 256u);
  EXPECT_EQ(c.store().auth_cache_seconds(), 60u);
  EXPECT_EQ(c.store().worker_threads(), 64u);
  EXPECT_EQ(c.store().retention_interval_seconds(), 3600u);
  EXPECT_EQ(c.store().idempotency_ttl_seconds(), 86400u);
  EXPECT_EQ(c.store().port_file(), "");
  EXPECT_THAT(c.store_client().shards(), ElementsAre("127.0.0.1:17000"));
  EXPECT_EQ(c.store_client().deadline_ms(), 5000u);
  EXPECT_EQ(c.store_client().keepalive_seconds(), 30u);
  EXPECT_EQ(c.store_client().keepalive_timeout_seconds(), 10u);
  EXPECT_EQ(c.log().level(), "info");
  EXPECT_EQ(c.smtp().listen(), "127.0.0.1:10025");
  EXPECT_EQ(c.smtp().submission_listen(), "127.0.0.1:10587");
  EXPECT_EQ(c.smtp().submissions_listen(), "127.0.0.1:10465");
  EXPECT_EQ(c.smtp().max_message_bytes(), 35u << 20);
  EXPECT_EQ(c.smtp().max_recipients(), 100u);
  EXPECT_EQ(c.smtp().command_timeout_seconds(), 300u);
  EXPECT_EQ(c.smtp().data_timeout_seconds(), 180u);
  EXPECT_EQ(c.smtp().recipient_cache_seconds(), 10u);
  EXPECT_EQ(c.smtp().limits().max_connections_per_ip(), c.pop3().limits().max_connections_per_ip());
}

TEST(ApplyDefaultsTest, KeepsExplicitValues) {
  Config c;
  c.mutable_store()->set_listen("0.0.0.0:1");
  c.mutable_store()->set_durability(v1::NO_SYNC);
  c.mutable_store_client()->add_shards("a:1");
  ApplyDefaults(&c);
  EXPECT_EQ(c.store().listen(), "0.0.0.0:1");
  EXPECT_EQ(c.store().durability(), v1::NO_SYNC);
  EXPECT_THAT(c.store_client().shards(), ElementsAre("a:1"));
}

TEST(ApplyDefaultsTest, AnExplicitZeroOfAnOptionalFieldStays) {
  Config c;
  c.mutable_smtp()->set_recipient_cache_seconds(0);
  ApplyDefaults(&c);
  EXPECT_EQ(c.smtp().recipient_cache_seconds(), 0u);
}

TEST(MergeYamlTest, NestedValuesEnumsAndLists) {
  Config c;
  ASSERT_TRUE(MergeYaml(R"(
store:
  listen: 0.0.0.0:2000
  scrypt_n: 1024
  max_message_bytes: 18446744073709551615
  durability: no_sync
store_client:
  shards: [a:1, "b:2"]
log:
  level: debug
)",
                        &c)
                  .ok());
  EXPECT_EQ(c.store().listen(), "0.0.0.0:2000");
  EXPECT_EQ(c.store().scrypt_n(), 1024u);
  EXPECT_EQ(c.store().max_message_bytes(), 18446744073709551615u);
  EXPECT_EQ(c.store().durability(), v1::NO_SYNC);
  EXPECT_THAT(c.store_client().shards(), ElementsAre("a:1", "b:2"));
  EXPECT_EQ(c.log().level(), "debug");
}

TEST(MergeYamlTest, ListReplacesEarlierListAndEmptyInputsChangeNothing) {
  Config c;
  ASSERT_TRUE(MergeYaml("store_client: {shards: [a:1, b:2]}", &c).ok());
  ASSERT_TRUE(MergeYaml("store_client:\n  shards:\n    - c:3\n", &c).ok());
  EXPECT_THAT(c.store_client().shards(), ElementsAre("c:3"));
  ASSERT_TRUE(MergeYaml("", &c).ok());
  ASSERT_TRUE(MergeYaml("store:\n# listen: x\n", &c).ok());
  EXPECT_THAT(c.store_client().shards(), ElementsAre("c:3"));
  EXPECT_EQ(c.store().listen(), "");
}

TEST(MergeYamlTest, UnknownKeyNamesDottedPathAndLine) {
  Config c;
  absl::Status s = MergeYaml("store:\n  data_dir: /x\n  lisen: 1\n", &c);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(s.message()), HasSubstr("unknown configuration key \"store.lisen\""));
  EXPECT_THAT(std::string(s.message()), HasSubstr("line 3"));
  s = MergeYaml("stor: {}\n", &c);
  EXPECT_THAT(std::string(s.message()), HasSubstr("unknown configuration key \"stor\""));
}

TEST(MergeYamlTest, WrongTypesNameTheKey) {
  struct Case {
    const char* yaml;
    const char* key;
  };
  for (const Case& t : {
           Case{"store: 5", "\"store\" must be a mapping"},
           Case{"store: {scrypt_n: abc}", "\"store.scrypt_n\""},
           Case{"store: {scrypt_n: -1}", "\"store.scrypt_n\""},
           Case{"store: {scrypt_n: 4294967296}", "\"store.scrypt_n\""},
           Case{"store: {max_message_bytes: 1.5}", "\"store.max_message_bytes\""},
           Case{"store: {durability: fast}",
                "expected one of DURABILITY_UNSPECIFIED, SYNC, NO_SYNC"},
           Case{"store: {listen: [a, b]}", "\"store.listen\" must be a single value"},
           Case{"store: {listen: }", "\"store.listen\" has no value"},
           Case{"store_client: {shards: a:1}", "\"store_client.shards\" must be a list"},
           Case{"store_client: {shards: [[a]]}", "\"store_client.shards\""},
           Case{"- a\n- b\n", "must be a YAML mapping"},
       }) {
    Config c;
    absl::Status s = MergeYaml(t.yaml, &c);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << t.yaml;
    EXPECT_THAT(std::string(s.message()), HasSubstr(t.key)) << t.yaml;
  }
}

TEST(MergeYamlTest, MalformedYamlIsAStatusNotAnException) {
  Config c;
  absl::Status s = MergeYaml("store: {listen: [\n", &c);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(s.message()), HasSubstr("invalid YAML"));
}

TEST(SetFieldTest, ScalarsEnumsAndCommaLists) {
  Config c;
  ASSERT_TRUE(SetField(&c, "store.scrypt_n", "1024").ok());
  ASSERT_TRUE(SetField(&c, "store.durability", "No_Sync").ok());
  ASSERT_TRUE(SetField(&c, "store_client.shards", "a:1, b:2,").ok());
  EXPECT_EQ(c.store().scrypt_n(), 1024u);
  EXPECT_EQ(c.store().durability(), v1::NO_SYNC);
  EXPECT_THAT(c.store_client().shards(), ElementsAre("a:1", "b:2"));
}

TEST(SetFieldTest, ErrorsNameTheKey) {
  Config c;
  EXPECT_THAT(std::string(SetField(&c, "store.lisen", "x").message()),
              HasSubstr("unknown configuration key \"store.lisen\""));
  EXPECT_THAT(std::string(SetField(&c, "store.listen.port", "1").message()),
              HasSubstr("unknown configuration key \"store.listen.port\""));
  EXPECT_THAT(std::string(SetField(&c, "store", "x").message()),
              HasSubstr("\"store\" is a section"));
  EXPECT_FALSE(c.has_store());  // failed lookups leave the message alone
  EXPECT_THAT(std::string(SetField(&c, "store.worker_threads", "-4").message()),
              HasSubstr("invalid value \"-4\" for configuration key \"store.worker_threads\""));
}

TEST(LoadConfigTest, NoInputGivesDefaults) {
  absl::StatusOr<Config> c = LoadConfig({}, {});
  ASSERT_TRUE(c.ok()) << c.status();
  Config expected;
  ApplyDefaults(&expected);
  EXPECT_EQ(c->DebugString(), expected.DebugString());
}

TEST(LoadConfigTest, FlagBeatsEnvBeatsFile) {
  const std::string path = WriteTempFile("layers.yaml", R"(
store:
  data_dir: /from/file
  listen: file:1
  metrics_listen: file:2
  worker_threads: 8
)");
  absl::StatusOr<Config> c = LoadConfig({"--config=" + path, "--store.data_dir=/from/flag"},
                                        {{"KURIER_STORE__DATA_DIR", "/from/env"},
                                         {"KURIER_STORE__LISTEN", "env:1"},
                                         {"KURIER_STORE_CLIENT__SHARDS", "x:1,y:2"},
                                         {"KURIER_UNRELATED", "ignored"},
                                         {"KURIER_STORAGE__X", "ignored"},
                                         {"HOME", "/root"}});
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->store().data_dir(), "/from/flag");
  EXPECT_EQ(c->store().listen(), "env:1");
  EXPECT_EQ(c->store().metrics_listen(), "file:2");
  EXPECT_EQ(c->store().worker_threads(), 8u);
  EXPECT_THAT(c->store_client().shards(), ElementsAre("x:1", "y:2"));
  EXPECT_EQ(c->store().scrypt_n(), 16384u);  // untouched: default
}

TEST(LoadConfigTest, ErrorsSayWhereTheBadSettingCameFrom) {
  absl::Status s = LoadConfig({"--store.lisen=1"}, {}).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(s.message()), HasSubstr("flag --store.lisen"));
  EXPECT_THAT(std::string(s.message()), HasSubstr("unknown configuration key \"store.lisen\""));

  s = LoadConfig({}, {{"KURIER_STORE__LISEN", "1"}}).status();
  EXPECT_THAT(std::string(s.message()), HasSubstr("KURIER_STORE__LISEN"));
  EXPECT_THAT(std::string(s.message()), HasSubstr("\"store.lisen\""));

  s = LoadConfig({}, {{"KURIER_STORE__SCRYPT_N", "many"}}).status();
  EXPECT_THAT(std::string(s.message()), HasSubstr("\"store.scrypt_n\""));

  const std::string path = WriteTempFile("bad.yaml", "log:\n  levle: debug\n");
  s = LoadConfig({"--config=" + path}, {}).status();
  EXPECT_THAT(std::string(s.message()), HasSubstr(path));
  EXPECT_THAT(std::string(s.message()), HasSubstr("\"log.levle\""));

  s = LoadConfig({"--config=" + testing::TempDir() + "/missing.yaml"}, {}).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(s.message()), HasSubstr("missing.yaml"));

  s = LoadConfig({"--store.listen"}, {}).status();
  EXPECT_THAT(std::string(s.message()), HasSubstr("--store.listen"));
}

TEST(LoadConfigFromMainTest, ReturnsPositionalArgsAndReadsEnvironment) {
  ASSERT_EQ(setenv("KURIER_LOG__LEVEL", "debug", 1), 0);
  char prog[] = "kurier-store", a1[] = "serve", a2[] = "--store.scrypt_n=2048", a3[] = "-v",
       a4[] = "--", a5[] = "--store.listen=not-a-flag";
  char* argv[] = {prog, a1, a2, a3, a4, a5, nullptr};
  std::vector<std::string> rest;
  absl::StatusOr<Config> c = LoadConfigFromMain(6, argv, &rest);
  unsetenv("KURIER_LOG__LEVEL");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_THAT(rest, ElementsAre("serve", "-v", "--store.listen=not-a-flag"));
  EXPECT_EQ(c->store().scrypt_n(), 2048u);
  EXPECT_EQ(c->store().listen(), "127.0.0.1:17000");
  EXPECT_EQ(c->log().level(), "debug");
}

}  // namespace
}  // namespace kurier::config
