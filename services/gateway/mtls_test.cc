// Mutual TLS on the public port: the gateway's credentials from its --tls_*
// flags, and callers authenticated by a client certificate the policy lists.
// Certificates are made by the openssl command in the test.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "cmc/common/v1/event.grpc.pb.h"
#include "common/identity/jwt.h"
#include "common/testing/fake_backend.h"
#include "services/gateway/access_flags.h"
#include "services/gateway/proxy.h"

namespace cmc::gateway {
namespace {

using ::cmc::testing::FakeBackend;

constexpr char kSecret[] = "mtls-test-secret-0123456789abcdefgh";

std::string Slurp(const std::string& path) {
  return ReadTextFile(path).value();
}

// A CA ("ca"), a server certificate for localhost and 127.0.0.1 ("server"),
// clients "his" (CN his.example) and "stranger" (CN other.example) signed by
// the CA, and "foreign" (CN his.example) signed by another CA; as
// <dir>/<name>.pem and <dir>/<name>.key.
std::string MakeCertificates() {
  // Per process: ctest runs the cases of this suite as parallel processes.
  const std::string dir =
      absl::StrCat(::testing::TempDir(), "/mtls-", getpid());
  const std::string script = absl::StrCat("set -e; rm -rf ", dir, "; mkdir -p ",
                                          dir, "; cd ", dir, "\n",
                                          R"(
new_key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1.key"; }
new_ca() { new_key "$1"; openssl req -x509 -new -key "$1.key" -out "$1.pem" -days 2 -subj "/CN=$1"; }
# issue NAME CN CA [EXTFILE]
issue() {
  new_key "$1"
  openssl req -new -key "$1.key" -out "$1.csr" -subj "/CN=$2"
  openssl x509 -req -in "$1.csr" -CA "$3.pem" -CAkey "$3.key" -CAcreateserial -days 2 \
    -out "$1.pem" ${4:+-extfile "$4"}
}
new_ca ca
new_ca other-ca
printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' >server.ext
issue server localhost ca server.ext
issue his his.example ca
issue stranger other.example ca
issue foreign his.example other-ca
)");
  const std::string script_path = dir + ".sh";
  std::ofstream(script_path) << script;
  const std::string command = "bash " + script_path + " >" + dir + ".log 2>&1";
  EXPECT_EQ(std::system(command.c_str()), 0) << Slurp(dir + ".log");
  return dir;
}

class MutualTlsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { certs_ = new std::string(MakeCertificates()); }
  static void TearDownTestSuite() { delete certs_; }

  void SetUp() override {
    const std::string& dir = *certs_;
    absl::SetFlag(&FLAGS_tls_cert_file, dir + "/server.pem");
    absl::SetFlag(&FLAGS_tls_key_file, dir + "/server.key");
    absl::SetFlag(&FLAGS_tls_client_ca_file, dir + "/ca.pem");
    absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> credentials =
        ServerCredentialsFromFlags();
    ResetFlags();
    ASSERT_TRUE(credentials.ok()) << credentials.status();
    ASSERT_NE(*credentials, nullptr);

    TokenVerifierOptions verifier;
    verifier.hs256_secret = kSecret;
    verifier.issuer = "cmc";
    verifier.audience = "cmc";
    v1::GatewayPolicy policy;
    auto* rule = policy.add_rules();
    rule->set_method("cmc.common.v1.EventFeed/*");
    rule->add_roles("auditor");
    auto* his = policy.add_certificate_principals();
    his->set_common_name("his.example");
    his->set_subject("system:his");
    his->add_roles("auditor");
    his->add_scope("institution:ins-1");
    access_ = std::make_unique<AccessControl>(
        TokenVerifier::Create(verifier).value(),
        AccessPolicy::Create(policy).value(), std::nullopt);
    auto routes = RouteTable::Create({{"referral", backend_.address()}});
    ProxyOptions options;
    options.access_control = access_.get();
    proxy_ = Proxy::Create(*routes, CreateInsecureChannels(routes->backends()),
                           options)
                 .value();
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", *credentials, &port_);
    builder.RegisterCallbackGenericService(proxy_.get());
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
  }

  void TearDown() override {
    if (server_ != nullptr) {
      server_->Shutdown(std::chrono::system_clock::now() +
                        std::chrono::seconds(2));
    }
  }

  static void ResetFlags() {
    absl::SetFlag(&FLAGS_tls_cert_file, "");
    absl::SetFlag(&FLAGS_tls_key_file, "");
    absl::SetFlag(&FLAGS_tls_client_ca_file, "");
  }

  // ListEvents over TLS as client `client` ("" = no certificate), with
  // `token` ("" = none); the principal headers the backend saw.
  grpc::Status Call(const std::string& client, const std::string& token,
                    std::map<std::string, std::string>* seen = nullptr) {
    grpc::SslCredentialsOptions tls;
    tls.pem_root_certs = Slurp(*certs_ + "/ca.pem");
    if (!client.empty()) {
      tls.pem_private_key = Slurp(*certs_ + "/" + client + ".key");
      tls.pem_cert_chain = Slurp(*certs_ + "/" + client + ".pem");
    }
    return CallWith(grpc::SslCredentials(tls), token, seen);
  }

  grpc::Status CallWith(std::shared_ptr<grpc::ChannelCredentials> credentials,
                        const std::string& token,
                        std::map<std::string, std::string>* seen = nullptr) {
    auto stub = cmc::common::v1::EventFeed::NewStub(
        grpc::CreateChannel(absl::StrCat("127.0.0.1:", port_), credentials));
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::seconds(5));
    context.AddMetadata("x-cmc-service", "referral");
    context.AddMetadata("x-test-echo", "1");
    if (!token.empty()) context.AddMetadata("authorization", "Bearer " + token);
    cmc::common::v1::ListEventsResponse response;
    grpc::Status status = stub->ListEvents(&context, {}, &response);
    if (seen != nullptr) {
      for (const auto& event : response.events()) {
        if (event.type().rfind("x-cmc-principal-", 0) == 0) {
          (*seen)[event.type()] = event.payload().value();
        }
      }
    }
    return status;
  }

  static std::string Token() {
    const int64_t now = absl::ToUnixSeconds(absl::Now());
    return SignJwt(
               JwtAlgorithm::kHs256,
               absl::StrCat(R"({"sub":"user:li","roles":["auditor"],)",
                            R"("scope":["county"],"iss":"cmc","aud":"cmc",)",
                            R"("exp":)", now + 60, "}"),
               kSecret)
        .value();
  }

  static inline std::string* certs_ = nullptr;
  FakeBackend backend_;
  std::unique_ptr<AccessControl> access_;
  std::unique_ptr<Proxy> proxy_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
};

TEST_F(MutualTlsTest, AListedClientCertificateIsThePrincipal) {
  std::map<std::string, std::string> seen;
  const grpc::Status status = Call("his", "", &seen);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(seen["x-cmc-principal-subject"], "system:his");
  EXPECT_EQ(seen["x-cmc-principal-roles"], "auditor");
  EXPECT_EQ(seen["x-cmc-principal-scope"], "institution:ins-1");
}

TEST_F(MutualTlsTest, OtherCallersNeedATokenOrFail) {
  struct Case {
    std::string name;
    std::string client;
    bool token;
    grpc::StatusCode code;
  };
  const std::vector<Case> cases = {
      {"certificate not in the policy", "stranger", false,
       grpc::StatusCode::UNAUTHENTICATED},
      {"no certificate, no token", "", false,
       grpc::StatusCode::UNAUTHENTICATED},
      {"no certificate, a token", "", true, grpc::StatusCode::OK},
      {"certificate not in the policy, a token", "stranger", true,
       grpc::StatusCode::OK},
      // The handshake fails: the certificate is not from the client CA.
      {"certificate of another CA", "foreign", false,
       grpc::StatusCode::UNAVAILABLE},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    std::map<std::string, std::string> seen;
    const grpc::Status status = Call(c.client, c.token ? Token() : "", &seen);
    EXPECT_EQ(status.error_code(), c.code) << status.error_message();
    if (c.code == grpc::StatusCode::UNAUTHENTICATED) {
      EXPECT_EQ(status.error_message(), "invalid token");
    }
    if (c.token) {
      EXPECT_EQ(seen["x-cmc-principal-subject"], "user:li");
    }
  }
  EXPECT_EQ(CallWith(grpc::InsecureChannelCredentials(), Token()).error_code(),
            grpc::StatusCode::UNAVAILABLE)
      << "plaintext is refused";
}

TEST(ServerCredentialsFromFlagsTest, NamesTheFlagOfABadCombination) {
  struct Case {
    std::string cert, key, ca;
    std::string message;  // "" = plaintext, no error
  };
  const std::string missing = ::testing::TempDir() + "/no-such.pem";
  const std::vector<Case> cases = {
      {"", "", "", ""},
      {"", "k.pem", "", "--tls_key_file: needs --tls_cert_file"},
      {"", "", "ca.pem", "--tls_client_ca_file: needs --tls_cert_file"},
      {"c.pem", "", "", "--tls_key_file: required with --tls_cert_file"},
      {missing, missing, "", "--tls_cert_file: cannot read " + missing},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.message);
    absl::SetFlag(&FLAGS_tls_cert_file, c.cert);
    absl::SetFlag(&FLAGS_tls_key_file, c.key);
    absl::SetFlag(&FLAGS_tls_client_ca_file, c.ca);
    absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> credentials =
        ServerCredentialsFromFlags();
    if (c.message.empty()) {
      ASSERT_TRUE(credentials.ok()) << credentials.status();
      EXPECT_EQ(*credentials, nullptr);
    } else {
      EXPECT_EQ(credentials.status().code(),
                absl::StatusCode::kInvalidArgument);
      EXPECT_EQ(credentials.status().message(), c.message);
    }
  }
  absl::SetFlag(&FLAGS_tls_cert_file, "");
  absl::SetFlag(&FLAGS_tls_key_file, "");
  absl::SetFlag(&FLAGS_tls_client_ca_file, "");
}

}  // namespace
}  // namespace cmc::gateway
