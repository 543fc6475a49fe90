#include "storage/credentials/scram.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace kurier::storage {
namespace {

// RFC 7677 section 3.
constexpr char kUser[] = "user";
constexpr char kPassword[] = "pencil";
constexpr char kClientNonce[] = "rOprNGfwEbeRWgbNEkqO";
constexpr char kServerNonceSuffix[] = "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
constexpr char kSaltB64[] = "W22ZaJ0SNY7soEsUEjb6gQ==";
constexpr char kClientFirst[] = "n,,n=user,r=rOprNGfwEbeRWgbNEkqO";
constexpr char kServerFirst[] =
    "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
constexpr char kClientFinal[] =
    "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
    "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
constexpr char kServerFinal[] = "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=";

std::string Unbase64(std::string_view s) {
  std::string out;
  EXPECT_TRUE(absl::Base64Unescape(absl::string_view(s.data(), s.size()), &out)) << s;
  return out;
}

ScramVerifier ExampleVerifier() {
  return MakeScramVerifierWithSalt(kPassword, Unbase64(kSaltB64), 4096);
}

// An independent client computation straight from RFC 5802 section 3, used to
// build messages our ScramClient never sends (other gs2 headers, extensions).
std::string Hmac(std::string_view key, std::string_view data) {
  unsigned char md[32];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), md, &len);
  return std::string(reinterpret_cast<char*>(md), len);
}

std::string ProofFor(std::string_view password, std::string_view salt, int iterations,
                     std::string_view auth_message) {
  unsigned char salted[32];
  PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()),
                    reinterpret_cast<const unsigned char*>(salt.data()),
                    static_cast<int>(salt.size()), iterations, EVP_sha256(), 32, salted);
  const std::string client_key =
      Hmac(std::string(reinterpret_cast<char*>(salted), 32), "Client Key");
  unsigned char stored[32];
  SHA256(reinterpret_cast<const unsigned char*>(client_key.data()), client_key.size(), stored);
  const std::string signature =
      Hmac(std::string(reinterpret_cast<char*>(stored), 32), auth_message);
  std::string proof(32, '\0');
  for (int i = 0; i < 32; ++i) proof[i] = static_cast<char>(client_key[i] ^ signature[i]);
  return absl::Base64Escape(proof);
}

// Runs Begin/ServerFirst/Finish for a hand-made client-first-message, signing
// `final_without_proof` with the example password.
absl::StatusOr<std::string> HandMadeExchange(const std::string& client_first,
                                             const std::string& final_without_proof) {
  absl::StatusOr<ScramServer> server = ScramServer::Begin(client_first);
  if (!server.ok()) return server.status();
  const std::string server_first = server->ServerFirst(ExampleVerifier(), kServerNonceSuffix);
  const std::string bare = client_first.substr(client_first.find("n=", 2));
  const std::string auth = absl::StrCat(bare, ",", server_first, ",", final_without_proof);
  return server->Finish(absl::StrCat(final_without_proof, ",p=",
                                     ProofFor(kPassword, Unbase64(kSaltB64), 4096, auth)));
}

TEST(ScramTest, Rfc7677ClientSide) {
  ScramClient client(kUser, kPassword, kClientNonce);
  EXPECT_EQ(client.ClientFirst(), kClientFirst);
  absl::StatusOr<std::string> final_message = client.ClientFinal(kServerFirst);
  ASSERT_TRUE(final_message.ok()) << final_message.status();
  EXPECT_EQ(*final_message, kClientFinal);
  EXPECT_TRUE(client.VerifyServerFinal(kServerFinal));
  EXPECT_FALSE(client.VerifyServerFinal("v=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="));
  EXPECT_FALSE(client.VerifyServerFinal("e=invalid-proof"));
}

TEST(ScramTest, Rfc7677ServerSide) {
  absl::StatusOr<ScramServer> server = ScramServer::Begin(kClientFirst);
  ASSERT_TRUE(server.ok()) << server.status();
  EXPECT_EQ(server->username(), kUser);
  EXPECT_EQ(server->ServerFirst(ExampleVerifier(), kServerNonceSuffix), kServerFirst);
  absl::StatusOr<std::string> server_final = server->Finish(kClientFinal);
  ASSERT_TRUE(server_final.ok()) << server_final.status();
  EXPECT_EQ(*server_final, kServerFinal);
}

TEST(ScramTest, ClientAgainstServerWithRandomNonces) {
  const ScramVerifier verifier = MakeScramVerifier("s3cret, with = signs");
  EXPECT_EQ(verifier.salt.size(), 16u);
  EXPECT_EQ(verifier.iterations, 4096u);
  ScramClient client("a,b=c@example.org", "s3cret, with = signs");
  const std::string client_first = client.ClientFirst();
  EXPECT_NE(client_first.find("n=a=2Cb=3Dc@example.org,"), std::string::npos);
  absl::StatusOr<ScramServer> server = ScramServer::Begin(client_first);
  ASSERT_TRUE(server.ok()) << server.status();
  EXPECT_EQ(server->username(), "a,b=c@example.org");
  absl::StatusOr<std::string> client_final = client.ClientFinal(server->ServerFirst(verifier));
  ASSERT_TRUE(client_final.ok()) << client_final.status();
  absl::StatusOr<std::string> server_final = server->Finish(*client_final);
  ASSERT_TRUE(server_final.ok()) << server_final.status();
  EXPECT_TRUE(client.VerifyServerFinal(*server_final));
}

TEST(ScramTest, WrongPasswordIsPermissionDenied) {
  ScramClient client(kUser, "pencil2");
  absl::StatusOr<ScramServer> server = ScramServer::Begin(client.ClientFirst());
  ASSERT_TRUE(server.ok());
  absl::StatusOr<std::string> client_final =
      client.ClientFinal(server->ServerFirst(ExampleVerifier()));
  ASSERT_TRUE(client_final.ok());
  EXPECT_EQ(server->Finish(*client_final).status().code(), absl::StatusCode::kPermissionDenied);
}

TEST(ScramTest, FinishOnlyOnceAndOnlyAfterServerFirst) {
  absl::StatusOr<ScramServer> server = ScramServer::Begin(kClientFirst);
  ASSERT_TRUE(server.ok());
  EXPECT_EQ(server->Finish(kClientFinal).status().code(), absl::StatusCode::kFailedPrecondition);
  server->ServerFirst(ExampleVerifier(), kServerNonceSuffix);
  EXPECT_TRUE(server->Finish(kClientFinal).ok());
  EXPECT_EQ(server->Finish(kClientFinal).status().code(), absl::StatusCode::kFailedPrecondition);
  // A failed attempt also ends the exchange.
  server = ScramServer::Begin(kClientFirst);
  ASSERT_TRUE(server.ok());
  server->ServerFirst(ExampleVerifier(), kServerNonceSuffix);
  EXPECT_FALSE(server->Finish("garbage").ok());
  EXPECT_EQ(server->Finish(kClientFinal).status().code(), absl::StatusCode::kFailedPrecondition);
  server->ServerFirst(ExampleVerifier(), kServerNonceSuffix);
  EXPECT_EQ(server->Finish(kClientFinal).status().code(), absl::StatusCode::kFailedPrecondition);
}

absl::StatusCode FinishExample(std::string_view client_final) {
  absl::StatusOr<ScramServer> server = ScramServer::Begin(kClientFirst);
  EXPECT_TRUE(server.ok());
  server->ServerFirst(ExampleVerifier(), kServerNonceSuffix);
  return server->Finish(client_final).status().code();
}

TEST(ScramTest, TamperedClientFinalRejected) {
  const std::string good = kClientFinal;
  // Nonce: changed, truncated, extended, client part only.
  EXPECT_EQ(FinishExample("c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k1,"
                          "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(FinishExample("c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k,"
                          "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(FinishExample("c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k00,"
                          "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(FinishExample("c=biws,r=rOprNGfwEbeRWgbNEkqO,"
                          "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="),
            absl::StatusCode::kInvalidArgument);
  // Channel binding for "y,," while the client sent "n,,".
  EXPECT_EQ(FinishExample("c=eSws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
                          "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="),
            absl::StatusCode::kInvalidArgument);
  // One proof bit flipped.
  EXPECT_EQ(FinishExample("c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
                          "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVU="),
            absl::StatusCode::kPermissionDenied);
  // An extension the proof did not cover.
  EXPECT_EQ(FinishExample("c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,x=1,"
                          "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(FinishExample(good), absl::StatusCode::kOk);
}

TEST(ScramTest, ServerWithOtherNonceRejectsReplay) {
  // The RFC's client-final is valid only for the RFC's server nonce.
  absl::StatusOr<ScramServer> server = ScramServer::Begin(kClientFirst);
  ASSERT_TRUE(server.ok());
  server->ServerFirst(ExampleVerifier());
  EXPECT_EQ(server->Finish(kClientFinal).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(ScramTest, GsHeaderYAndAuthzid) {
  const std::string nonce = absl::StrCat(kClientNonce, kServerNonceSuffix);
  // "y,," binds as "eSws" (base64 of "y,,").
  absl::StatusOr<std::string> result =
      HandMadeExchange("y,,n=user,r=rOprNGfwEbeRWgbNEkqO", absl::StrCat("c=eSws,r=", nonce));
  EXPECT_TRUE(result.ok()) << result.status();
  result = HandMadeExchange("y,,n=user,r=rOprNGfwEbeRWgbNEkqO", absl::StrCat("c=biws,r=", nonce));
  EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument);
  // An authzid naming the user itself, bound as "n,a=user,".
  result = HandMadeExchange("n,a=user,n=user,r=rOprNGfwEbeRWgbNEkqO",
                            absl::StrCat("c=", absl::Base64Escape("n,a=user,"), ",r=", nonce));
  EXPECT_TRUE(result.ok()) << result.status();
  result = HandMadeExchange("n,a=user,n=user,r=rOprNGfwEbeRWgbNEkqO",
                            absl::StrCat("c=biws,r=", nonce));
  EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument);
  // Extensions in both messages are accepted and covered by the proof.
  result = HandMadeExchange("n,,n=user,r=rOprNGfwEbeRWgbNEkqO,x=yz=,Q=\xc3\xa9",
                            absl::StrCat("c=biws,r=", nonce, ",t=1"));
  EXPECT_TRUE(result.ok()) << result.status();
}

TEST(ScramTest, BeginStatusCodes) {
  EXPECT_EQ(ScramServer::Begin("p=tls-unique,,n=user,r=abc").status().code(),
            absl::StatusCode::kUnimplemented);
  EXPECT_EQ(ScramServer::Begin("n,,m=ext,n=user,r=abc").status().code(),
            absl::StatusCode::kUnimplemented);
  EXPECT_EQ(ScramServer::Begin("n,a=admin,n=user,r=abc").status().code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(ScramServer::Begin("n,a=,n=user,r=abc").status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(ScramTest, UsernameDecoding) {
  absl::StatusOr<ScramServer> server = ScramServer::Begin("n,,n=us=2Cer=3D=3D,r=abc");
  ASSERT_TRUE(server.ok()) << server.status();
  EXPECT_EQ(server->username(), "us,er==");
  server = ScramServer::Begin("n,a=x=2Cy,n=x=2Cy,r=abc");
  ASSERT_TRUE(server.ok()) << server.status();
  EXPECT_EQ(server->username(), "x,y");
  server = ScramServer::Begin("n,,n=J\xc3\xbcrgen,r=abc");
  ASSERT_TRUE(server.ok()) << server.status();
  EXPECT_EQ(server->username(), "J\xc3\xbcrgen");
}

TEST(ScramTest, MalformedClientFirstRejected) {
  const std::vector<std::string> bad = {
      "",
      "n",
      "n,",
      "n,,",
      "x,,n=user,r=abc",
      "N,,n=user,r=abc",
      "p,,n=user,r=abc",
      "n,,,n=user,r=abc",
      "nn,,n=user,r=abc",
      "F,n,,n=user,r=abc",
      "n,b=user,n=user,r=abc",
      "n,a=us=er,n=us=er,r=abc",
      "n,,n=user",
      "n,,n=user,",
      "n,,n=user,r=",
      "n,,n=,r=abc",
      "n,,u=user,r=abc",
      "n,,r=abc,n=user",
      "n,,n=user,r=abc,",
      "n,,n=user,r=abc,,",
      "n,,n=user,r=abc,x",
      "n,,n=user,r=abc,x=",
      "n,,n=user,r=abc,1=2",
      "n,,n=user,r=abc,xy=1",
      "n,,n=us=2cer,r=abc",        // escapes are upper case
      "n,,n=user=,r=abc",
      "n,,n=user=2,r=abc",
      "n,,n=user=41,r=abc",
      "n,,n=user,r=a b",
      "n,,n=user,r=a\x7f",
      "n,,n=user,r=\xc3\xa9",
      "n,,n=us\xc0\xafr,r=abc",     // overlong '/'
      "n,,n=us\xed\xa0\x80r,r=abc", // surrogate
      "n,,n=us\xf4\x90\x80\x80r,r=abc",
      "n,,n=us\xff,r=abc",
      "n,,n=us\xc3,r=abc",
      std::string("n,,n=us\0er,r=abc", 16),
      " n,,n=user,r=abc",
  };
  for (const std::string& message : bad) {
    absl::StatusOr<ScramServer> server = ScramServer::Begin(message);
    EXPECT_FALSE(server.ok()) << message;
  }
}

TEST(ScramTest, MalformedClientFinalRejected) {
  const std::string nonce = absl::StrCat(kClientNonce, kServerNonceSuffix);
  const std::string proof = "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
  const std::vector<std::string> bad = {
      "",
      ",",
      ",,",
      "c=biws",
      "c=biws,r=" + nonce,
      "c=biws,r=" + nonce + ",",
      "c=biws,r=" + nonce + ",p=",
      "c=biws,r=" + nonce + ",p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ",
      "c=biws,r=" + nonce + ",p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ==",
      "c=biws,r=" + nonce + ",p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVR=",
      "c=biws,r=" + nonce + ",p=dHzbZapW",
      "c=biws,r=" + nonce + "," + proof + ",",
      "c=biws,r=" + nonce + "," + proof + ",x=1",
      "c=biws,r=" + nonce + ",," + proof,
      "c=biws,r=" + nonce + ",1=2," + proof,
      "c=biws,," + proof,
      "c=biws," + proof,
      "r=" + nonce + ",c=biws," + proof,
      "c=biws=,r=" + nonce + "," + proof,
      "c=biw,r=" + nonce + "," + proof,
      "c=,r=" + nonce + "," + proof,
      "c=biws,n=" + nonce + "," + proof,
      "C=biws,r=" + nonce + "," + proof,
      "c=biws,R=" + nonce + "," + proof,
      "c=biws,r=" + nonce + ",P=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
      "c=biws,r=" + nonce + "," + proof + std::string("\0", 1),
      "c=biws,r=" + nonce + "\r\n," + proof,
  };
  for (const std::string& message : bad) {
    EXPECT_NE(FinishExample(message), absl::StatusCode::kOk) << message;
  }
}

// Every prefix of a valid message is rejected without crashing; exercises each
// parser state boundary.
TEST(ScramTest, TruncationsRejected) {
  const std::string client_first = kClientFirst;
  for (size_t i = 0; i < client_first.size(); ++i) {
    // Prefixes ending inside the nonce are themselves valid client-first-messages.
    const std::string prefix = client_first.substr(0, i);
    const bool valid_prefix = i > std::string("n,,n=user,r=").size();
    EXPECT_EQ(ScramServer::Begin(prefix).ok(), valid_prefix) << prefix;
  }
  const std::string client_final = kClientFinal;
  for (size_t i = 0; i < client_final.size(); ++i) {
    EXPECT_NE(FinishExample(client_final.substr(0, i)), absl::StatusCode::kOk) << i;
  }
  const std::string server_first = kServerFirst;
  for (size_t i = 0; i < server_first.size(); ++i) {
    ScramClient client(kUser, kPassword, kClientNonce);
    // "i=4" .. "i=409" are below the minimum iteration count.
    EXPECT_FALSE(client.ClientFinal(server_first.substr(0, i)).ok()) << i;
  }
  const std::string server_final = kServerFinal;
  for (size_t i = 0; i < server_final.size(); ++i) {
    ScramClient client(kUser, kPassword, kClientNonce);
    ASSERT_TRUE(client.ClientFinal(kServerFirst).ok());
    EXPECT_FALSE(client.VerifyServerFinal(server_final.substr(0, i))) << i;
  }
}

TEST(ScramTest, ClientRejectsBadServerFirst) {
  const std::vector<std::string> bad = {
      "",
      "r=rOprNGfwEbeRWgbNEkqO,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",         // no server part
      "r=rOprNGfwEbeRWgbNEkqX123,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",      // not our nonce
      "r=XrOprNGfwEbeRWgbNEkqO123,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
      "r=rOprNGfwEbeRWgbNEkqO123,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4095",     // too few
      "r=rOprNGfwEbeRWgbNEkqO123,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=0",
      "r=rOprNGfwEbeRWgbNEkqO123,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=04096",
      "r=rOprNGfwEbeRWgbNEkqO123,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=-4096",
      "r=rOprNGfwEbeRWgbNEkqO123,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=10000001",  // too many
      "r=rOprNGfwEbeRWgbNEkqO123,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=99999999999999999999",
      "r=rOprNGfwEbeRWgbNEkqO123,s=W22ZaJ0SNY7soEsUEjb6gQ=,i=4096",
      "r=rOprNGfwEbeRWgbNEkqO123,i=4096,s=W22ZaJ0SNY7soEsUEjb6gQ==",
      "r=rOprNGfwEbeRWgbNEkqO123,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096,",
      "m=x,r=rOprNGfwEbeRWgbNEkqO123,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
      "e=other-error",
  };
  for (const std::string& message : bad) {
    ScramClient client(kUser, kPassword, kClientNonce);
    EXPECT_FALSE(client.ClientFinal(message).ok()) << message;
    EXPECT_FALSE(client.VerifyServerFinal(kServerFinal)) << message;
  }
}

TEST(ScramTest, VerifyServerFinalBeforeClientFinal) {
  ScramClient client(kUser, kPassword, kClientNonce);
  EXPECT_FALSE(client.VerifyServerFinal(kServerFinal));
}

TEST(ScramTest, FakeVerifierAlwaysFails) {
  const ScramVerifier a = FakeScramVerifier("ghost", "secret");
  const ScramVerifier b = FakeScramVerifier("ghost", "secret");
  EXPECT_EQ(a.salt, b.salt);  // stable, so repeated probes see the same salt
  EXPECT_EQ(a.salt.size(), 16u);
  EXPECT_EQ(a.iterations, 4096u);
  EXPECT_NE(a.stored_key, b.stored_key);
  EXPECT_NE(FakeScramVerifier("ghost2", "secret").salt, a.salt);
  EXPECT_NE(FakeScramVerifier("ghost", "secret2").salt, a.salt);
  // HMAC-SHA-256(key "secret", "ghost"), first 16 bytes, computed here directly.
  EXPECT_EQ(a.salt, Hmac("secret", "ghost").substr(0, 16));

  for (const char* password : {"", "pencil", "anything"}) {
    ScramClient client("ghost", password);
    absl::StatusOr<ScramServer> server = ScramServer::Begin(client.ClientFirst());
    ASSERT_TRUE(server.ok());
    absl::StatusOr<std::string> client_final = client.ClientFinal(server->ServerFirst(a));
    ASSERT_TRUE(client_final.ok());
    EXPECT_EQ(server->Finish(*client_final).status().code(), absl::StatusCode::kPermissionDenied);
  }
}

TEST(ScramTest, InternalErrorForBrokenVerifier) {
  absl::StatusOr<ScramServer> server = ScramServer::Begin(kClientFirst);
  ASSERT_TRUE(server.ok());
  ScramVerifier broken = ExampleVerifier();
  broken.stored_key.resize(31);
  server->ServerFirst(broken, kServerNonceSuffix);
  EXPECT_EQ(server->Finish(kClientFinal).status().code(), absl::StatusCode::kInternal);
}

TEST(ScramVerifierTest, EncodeDecodeRoundTrip) {
  const ScramVerifier v = MakeScramVerifier("pw", 5000);
  EXPECT_EQ(v.iterations, 5000u);
  const std::string text = EncodeScramVerifier(v);
  absl::StatusOr<ScramVerifier> decoded = DecodeScramVerifier(text);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(decoded->salt, v.salt);
  EXPECT_EQ(decoded->iterations, v.iterations);
  EXPECT_EQ(decoded->stored_key, v.stored_key);
  EXPECT_EQ(decoded->server_key, v.server_key);
  EXPECT_EQ(EncodeScramVerifier(*decoded), text);
}

TEST(ScramVerifierTest, EncodedFormIsPostgres) {
  const std::string text = EncodeScramVerifier(ExampleVerifier());
  EXPECT_EQ(text.rfind("SCRAM-SHA-256$4096:W22ZaJ0SNY7soEsUEjb6gQ==$", 0), 0u) << text;
}

TEST(ScramVerifierTest, IterationsClamped) {
  EXPECT_EQ(MakeScramVerifier("pw", 0).iterations, kMinScramIterations);
  EXPECT_EQ(MakeScramVerifier("pw", 1).iterations, kMinScramIterations);
}

TEST(ScramVerifierTest, DecodeRejectsMalformed) {
  const std::string key = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
  const std::string good = "SCRAM-SHA-256$4096:W22ZaJ0SNY7soEsUEjb6gQ==$" + key + ":" + key;
  ASSERT_TRUE(DecodeScramVerifier(good).ok());
  const std::vector<std::string> bad = {
      "",
      "SCRAM-SHA-256$",
      "SCRAM-SHA-1$4096:W22ZaJ0SNY7soEsUEjb6gQ==$" + key + ":" + key,
      "scram-sha-256$4096:W22ZaJ0SNY7soEsUEjb6gQ==$" + key + ":" + key,
      "SCRAM-SHA-256$4095:W22ZaJ0SNY7soEsUEjb6gQ==$" + key + ":" + key,
      "SCRAM-SHA-256$04096:W22ZaJ0SNY7soEsUEjb6gQ==$" + key + ":" + key,
      "SCRAM-SHA-256$10000001:W22ZaJ0SNY7soEsUEjb6gQ==$" + key + ":" + key,
      "SCRAM-SHA-256$99999999999:W22ZaJ0SNY7soEsUEjb6gQ==$" + key + ":" + key,
      "SCRAM-SHA-256$:W22ZaJ0SNY7soEsUEjb6gQ==$" + key + ":" + key,
      "SCRAM-SHA-256$4096W22ZaJ0SNY7soEsUEjb6gQ==$" + key + ":" + key,
      "SCRAM-SHA-256$4096:W22ZaJ0SNY7soEsUEjb6gQ$" + key + ":" + key,
      "SCRAM-SHA-256$4096:W22ZaJ0SNY7soEsUEjb6gQ==$" + key,
      "SCRAM-SHA-256$4096:W22ZaJ0SNY7soEsUEjb6gQ==$" + key + ":" + key + ":" + key,
      "SCRAM-SHA-256$4096:W22ZaJ0SNY7soEsUEjb6gQ==$" + key + ":" + key + "$",
      "SCRAM-SHA-256$4096:W22ZaJ0SNY7soEsUEjb6gQ==$AAAA:" + key,
      "SCRAM-SHA-256$4096:W22ZaJ0SNY7soEsUEjb6gQ==$" + key + ":" + key + "AAAA",
      "SCRAM-SHA-256$4096:1:W22ZaJ0SNY7soEsUEjb6gQ==$" + key + ":" + key,
      "SCRAM-SHA-256$4096:W22ZaJ0SNY7soEsUEjb6gQ==$" + key + ":" + key + " ",
  };
  for (const std::string& text : bad) {
    EXPECT_EQ(DecodeScramVerifier(text).status().code(), absl::StatusCode::kInvalidArgument)
        << text;
  }
  for (size_t i = 0; i < good.size(); ++i) {
    EXPECT_FALSE(DecodeScramVerifier(good.substr(0, i)).ok()) << i;
  }
}

}  // namespace
}  // namespace kurier::storage
