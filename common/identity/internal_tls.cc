#include "common/identity/internal_tls.h"

#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "common/config.h"
#include "common/identity/peer.h"
#include "common/status.h"

ABSL_FLAG(std::string, internal_tls_cert_file, "",
          "PEM certificate of this process for the internal hops (mutual TLS; "
          "set with --internal_tls_key_file and --internal_tls_ca_file)");
ABSL_FLAG(std::string, internal_tls_key_file, "",
          "PEM private key of --internal_tls_cert_file");
ABSL_FLAG(std::string, internal_tls_ca_file, "",
          "PEM certificate of the deployment's CA: internal peers must hold a "
          "certificate it signed");

namespace cmc {
namespace {

absl::Mutex g_mu;
std::optional<InternalTls>* g_tls ABSL_GUARDED_BY(g_mu) = nullptr;

absl::StatusOr<std::string> ReadFlagFile(const char* flag,
                                         const std::string& path) {
  absl::StatusOr<std::string> text = ReadTextFile(path);
  if (!text.ok() || text->empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", flag, ": cannot read ", path));
  }
  return text;
}

std::optional<InternalTls> Current() {
  absl::MutexLock lock(&g_mu);
  return g_tls == nullptr ? std::nullopt : *g_tls;
}

}  // namespace

absl::StatusOr<std::optional<InternalTls>> InternalTlsFromFlags() {
  const std::string cert = absl::GetFlag(FLAGS_internal_tls_cert_file);
  const std::string key = absl::GetFlag(FLAGS_internal_tls_key_file);
  const std::string ca = absl::GetFlag(FLAGS_internal_tls_ca_file);
  if (cert.empty() && key.empty() && ca.empty()) return std::nullopt;
  const struct {
    const char* flag;
    const std::string& path;
  } all[] = {{"internal_tls_cert_file", cert},
             {"internal_tls_key_file", key},
             {"internal_tls_ca_file", ca}};
  for (const auto& f : all) {
    if (f.path.empty()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--", f.flag, ": required with the other --internal_tls_* flags"));
    }
  }
  InternalTls tls;
  CMC_ASSIGN_OR_RETURN(tls.cert_chain,
                       ReadFlagFile("internal_tls_cert_file", cert));
  CMC_ASSIGN_OR_RETURN(tls.private_key,
                       ReadFlagFile("internal_tls_key_file", key));
  CMC_ASSIGN_OR_RETURN(tls.root_certs,
                       ReadFlagFile("internal_tls_ca_file", ca));
  return std::optional<InternalTls>(std::move(tls));
}

void UseInternalTls(std::optional<InternalTls> tls) {
  SetPeerTrust(tls.has_value() ? PeerTrust::kCertificates
                               : PeerTrust::kHeaders);
  absl::MutexLock lock(&g_mu);
  delete g_tls;
  g_tls = new std::optional<InternalTls>(std::move(tls));
}

bool InternalTlsEnabled() { return Current().has_value(); }

std::shared_ptr<grpc::ServerCredentials> InternalServerCredentials() {
  const std::optional<InternalTls> tls = Current();
  if (!tls.has_value()) return grpc::InsecureServerCredentials();
  grpc::SslServerCredentialsOptions options(
      GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  options.pem_root_certs = tls->root_certs;
  options.pem_key_cert_pairs.push_back({tls->private_key, tls->cert_chain});
  return grpc::SslServerCredentials(options);
}

std::shared_ptr<grpc::ChannelCredentials> InternalChannelCredentials() {
  const std::optional<InternalTls> tls = Current();
  if (!tls.has_value()) return grpc::InsecureChannelCredentials();
  grpc::SslCredentialsOptions options;
  options.pem_root_certs = tls->root_certs;
  options.pem_private_key = tls->private_key;
  options.pem_cert_chain = tls->cert_chain;
  return grpc::SslCredentials(options);
}

}  // namespace cmc
