#include "common/testing/stack.h"

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <stdlib.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/config.h"
#include "common/testing/health.h"
#include "common/testing/mariadb.h"

namespace cmc::testing {
namespace {

std::string MakeTempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string pattern = absl::StrCat(
      base != nullptr && *base != '\0' ? base : "/tmp", "/cmc-stack-XXXXXX");
  if (mkdtemp(pattern.data()) == nullptr) {
    std::perror("mkdtemp");
    std::abort();
  }
  return pattern;
}

std::string RandomSecret() {
  static const char kAlphabet[] =
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  std::random_device device;
  std::string secret;
  for (int i = 0; i < 64; ++i) secret += kAlphabet[device() % 62];
  return secret;
}

std::map<std::string, std::string> DatabaseEnv(const std::string& area) {
  const DbConfig db = MariaDb::Shared().NewDatabase("e2e_" + area);
  return {{"CMC_MYSQL_HOST", db.host},
          {"CMC_MYSQL_PORT", std::to_string(db.port)},
          {"CMC_MYSQL_USER", db.user},
          {"CMC_MYSQL_PASSWORD", db.password},
          {"CMC_MYSQL_SCHEMA", db.schema}};
}

std::string Tail(const std::string& text, size_t bytes) {
  return text.size() <= bytes ? text : text.substr(text.size() - bytes);
}

}  // namespace

Stack::Stack(StackOptions options) : options_(std::move(options)) {
  if (options_.log_dir.empty()) {
    log_dir_ = MakeTempDir();
    const char* keep = std::getenv("CMC_KEEP_STACK_LOGS");
    remove_log_dir_ = keep == nullptr || std::string(keep) != "1";
  } else {
    log_dir_ = options_.log_dir;
  }
}

Stack::~Stack() {
  TerminateAll();
  if (remove_log_dir_) {
    std::error_code ignored;
    std::filesystem::remove_all(log_dir_, ignored);
  }
}

std::string Stack::HealthName(const std::string& area) {
  return absl::StrCat("cmc.", area, ".v1.",
                      std::string(1, absl::ascii_toupper(area[0])),
                      area.substr(1), "Service");
}

absl::Status Stack::Start(absl::Duration timeout) {
  secret_file_ = log_dir_ + "/jwt-hs256.secret";
  std::ofstream(secret_file_) << RandomSecret() << "\n";
  if (options_.internal_tls) {
    cert_dir_ = log_dir_ + "/certs";
    const std::string command =
        absl::StrCat(options_.source_dir, "/scripts/make-certs ", cert_dir_,
                     " >", log_dir_, "/make-certs.log 2>&1");
    if (std::system(command.c_str()) != 0) {
      return absl::InternalError(absl::StrCat("`", command, "` failed"));
    }
  }
  // Each process's own certificate for the internal hops.
  const auto tls_env = [this](const std::string& name,
                              std::map<std::string, std::string>& env) {
    if (cert_dir_.empty()) return;
    env["CMC_INTERNAL_TLS_CERT_FILE"] =
        absl::StrCat(cert_dir_, "/", name, ".crt");
    env["CMC_INTERNAL_TLS_KEY_FILE"] =
        absl::StrCat(cert_dir_, "/", name, ".key");
    env["CMC_INTERNAL_TLS_CA_FILE"] = cert_dir_ + "/ca.crt";
  };

  // Every port first, so each service can be told where all the others are.
  for (const std::string& area : options_.areas) {
    Process& p = processes_[area];
    p.grpc_port = FreePort();
    p.metrics_port = FreePort();
  }
  for (const std::string& area : options_.areas) {
    Process& p = processes_[area];
    p.argv = {
        absl::StrCat(options_.binary_dir, "/services/", area, "/cmc-", area)};
    p.env = DatabaseEnv(area);
    p.env["CMC_LISTEN_HOST"] = "127.0.0.1";
    p.env["CMC_GRPC_PORT"] = std::to_string(p.grpc_port);
    p.env["CMC_METRICS_PORT"] = std::to_string(p.metrics_port);
    p.env["CMC_HEALTH_CHECK_INTERVAL_MS"] = "200";
    tls_env(area, p.env);
    // The other services of this stack (institution facts, event feeds), never
    // whatever listens on a default port: CMC_INSTITUTION_ADDR, ...
    for (const std::string& other : options_.areas) {
      if (other == area) continue;
      p.env[absl::StrCat("CMC_", absl::AsciiStrToUpper(other), "_ADDR")] =
          ServiceAddress(other);
    }
    for (const auto& [key, value] : options_.env[area]) p.env[key] = value;
    Launch(area);
  }

  Process& gateway = processes_["gateway"];
  gateway.grpc_port = FreePort();
  gateway.metrics_port = FreePort();
  gateway.argv = {options_.binary_dir + "/services/gateway/cmc-gateway"};
  gateway.env = DatabaseEnv("gateway");
  gateway.env["CMC_LISTEN_HOST"] = "127.0.0.1";
  gateway.env["CMC_GRPC_PORT"] = std::to_string(gateway.grpc_port);
  gateway.env["CMC_METRICS_PORT"] = std::to_string(gateway.metrics_port);
  gateway.env["CMC_BACKEND_CHECK_INTERVAL_MS"] = "200";
  gateway.env["CMC_POLICY_FILE"] =
      options_.source_dir + "/deploy/gateway/policy.textproto";
  gateway.env["CMC_JWT_HS256_SECRET_FILE"] = secret_file_;
  tls_env("gateway", gateway.env);
  for (const std::string& area : options_.areas) {
    gateway.env[absl::StrCat("CMC_", absl::AsciiStrToUpper(area), "_ADDR")] =
        ServiceAddress(area);
  }
  for (const auto& [key, value] : options_.env["gateway"]) {
    gateway.env[key] = value;
  }
  Launch("gateway");

  const absl::Time deadline = absl::Now() + timeout;
  for (const std::string& area : options_.areas) {
    if (absl::Status s = WaitServing(area, deadline - absl::Now()); !s.ok()) {
      return s;
    }
  }
  return WaitServing("gateway", deadline - absl::Now());
}

void Stack::Launch(const std::string& name) {
  Process& p = processes_.at(name);
  p.child = std::make_unique<ChildProcess>(
      p.argv, p.env, absl::StrCat(log_dir_, "/", name, ".log"));
}

absl::Status Stack::WaitServing(const std::string& name,
                                absl::Duration timeout) {
  const Process& p = Get(name);
  const std::string address = absl::StrCat("127.0.0.1:", p.grpc_port);
  const absl::Time deadline = absl::Now() + timeout;
  // The gateway's public port is plaintext here; the services want a client
  // certificate of the stack's CA.
  const std::shared_ptr<grpc::ChannelCredentials> credentials =
      name == "gateway" ? grpc::InsecureChannelCredentials()
                        : InternalCredentials("cmcctl");
  if (!EventuallyHealth(address, "", "SERVING", timeout, credentials)) {
    return absl::UnavailableError(absl::StrCat(name, " is not SERVING on ",
                                               address, " after ",
                                               absl::FormatDuration(timeout)));
  }
  if (name != "gateway") {
    if (processes_.count("gateway") == 0 || !processes_.at("gateway").child ||
        !processes_.at("gateway").child->Running()) {
      return absl::OkStatus();
    }
    // The gateway has seen the backend too.
    const absl::Duration left =
        std::max(deadline - absl::Now(), absl::Seconds(5));
    if (!EventuallyHealth(GatewayAddress(), HealthName(name), "SERVING",
                          left)) {
      return absl::UnavailableError(
          absl::StrCat("the gateway does not report ", name, " SERVING"));
    }
    return absl::OkStatus();
  }
  for (const std::string& area : options_.areas) {
    if (!EventuallyHealth(address, HealthName(area), "SERVING",
                          std::max(deadline - absl::Now(), absl::Seconds(5)))) {
      return absl::UnavailableError(
          absl::StrCat("the gateway does not report ", area, " SERVING"));
    }
  }
  return absl::OkStatus();
}

const Stack::Process& Stack::Get(const std::string& name) const {
  auto it = processes_.find(name);
  if (it == processes_.end()) {
    std::fprintf(stderr, "Stack: no process named %s\n", name.c_str());
    std::abort();
  }
  return it->second;
}

std::string Stack::GatewayAddress() const {
  return absl::StrCat("127.0.0.1:", Get("gateway").grpc_port);
}

std::string Stack::ServiceAddress(const std::string& area) const {
  return absl::StrCat("127.0.0.1:", Get(area).grpc_port);
}

int Stack::MetricsPort(const std::string& name) const {
  return Get(name).metrics_port;
}

std::shared_ptr<grpc::Channel> Stack::GatewayChannel() const {
  return grpc::CreateChannel(GatewayAddress(),
                             grpc::InsecureChannelCredentials());
}

std::shared_ptr<grpc::Channel> Stack::ServiceChannel(
    const std::string& area) const {
  return grpc::CreateChannel(ServiceAddress(area),
                             InternalCredentials("gateway"));
}

std::shared_ptr<grpc::ChannelCredentials> Stack::InternalCredentials(
    const std::string& who) const {
  if (cert_dir_.empty()) return grpc::InsecureChannelCredentials();
  const auto read = [](const std::string& path) {
    return ReadTextFile(path).value_or("");
  };
  grpc::SslCredentialsOptions tls;
  tls.pem_root_certs = read(cert_dir_ + "/ca.crt");
  tls.pem_cert_chain = read(absl::StrCat(cert_dir_, "/", who, ".crt"));
  tls.pem_private_key = read(absl::StrCat(cert_dir_, "/", who, ".key"));
  return grpc::SslCredentials(tls);
}

std::string Stack::Token(const std::string& subject, const std::string& roles,
                         const std::string& scope,
                         const std::string& extra_flags) const {
  const std::string command = absl::StrCat(
      options_.binary_dir,
      "/tools/cmcctl/cmcctl token --secret_file=", secret_file_, " --sub='",
      subject, "' --roles='", roles, "' --scope='", scope, "' ", extra_flags);
  FILE* out = popen(command.c_str(), "r");
  std::string token;
  char buffer[512];
  while (out != nullptr && fgets(buffer, sizeof(buffer), out) != nullptr) {
    token += buffer;
  }
  const int status = out == nullptr ? -1 : pclose(out);
  while (!token.empty() && token.back() == '\n') token.pop_back();
  if (status != 0 || token.empty()) {
    std::fprintf(stderr, "Stack: `%s` failed (status %d)\n", command.c_str(),
                 status);
    return "";
  }
  return token;
}

void Stack::AddBearer(grpc::ClientContext* context, const std::string& token) {
  context->AddMetadata("authorization", "Bearer " + token);
}

std::unique_ptr<grpc::ClientContext> Stack::Context(const std::string& token,
                                                    absl::Duration timeout) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(absl::ToChronoTime(absl::Now() + timeout));
  if (!token.empty()) AddBearer(context.get(), token);
  return context;
}

int Stack::Terminate(const std::string& name) {
  Process& p = processes_.at(name);
  if (!p.child) return -1;
  const int status = p.child->Terminate();
  return status;
}

void Stack::Kill(const std::string& name) {
  Process& p = processes_.at(name);
  if (p.child) p.child->Kill();
}

bool Stack::Running(const std::string& name) {
  Process& p = processes_.at(name);
  return p.child != nullptr && p.child->Running();
}

absl::Status Stack::Restart(const std::string& name, absl::Duration timeout) {
  Process& p = processes_.at(name);
  if (p.child && p.child->Running()) p.child->Terminate();
  Launch(name);
  return WaitServing(name, timeout);
}

std::map<std::string, int> Stack::TerminateAll() {
  std::map<std::string, int> statuses;
  if (auto it = processes_.find("gateway");
      it != processes_.end() && it->second.child) {
    statuses["gateway"] = it->second.child->Terminate();
  }
  for (auto& [name, p] : processes_) {
    if (name != "gateway" && p.child) statuses[name] = p.child->Terminate();
  }
  return statuses;
}

std::string Stack::Logs() const {
  std::string out;
  for (const auto& [name, p] : processes_) {
    if (!p.child) continue;
    absl::StrAppend(&out, "--- ", name, " (", p.child->log_path(), ")\n",
                    Tail(p.child->ReadLog(), 4000), "\n");
  }
  return out;
}

}  // namespace cmc::testing
