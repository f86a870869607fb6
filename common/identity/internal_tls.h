// Mutual TLS on the deployment's internal hops (gateway -> services, service
// -> service), with the deployment's own CA (scripts/make-certs). Every CMC
// binary reads the same three flags; set all of them or none:
//   --internal_tls_cert_file  this process's certificate (CN cmc-<name>)
//   --internal_tls_key_file   its private key
//   --internal_tls_ca_file    the deployment's CA: what peers must be signed by
// With them, a domain service's port accepts only clients with a certificate
// of that CA, and its outgoing channels present this process's certificate
// and verify the peer's; the services then believe a principal only from a
// verified peer (peer.h). Without them everything is plaintext and the
// principal headers are believed from anyone: for tests and experiments only.
//
//   CMC_ASSIGN_OR_RETURN(std::optional<InternalTls> tls,
//   InternalTlsFromFlags()); UseInternalTls(tls);                        //
//   once, at start options.credentials = InternalServerCredentials(); auto
//   channel = grpc::CreateCustomChannel(addr, InternalChannelCredentials(),
//   args);
#ifndef CMC_COMMON_IDENTITY_INTERNAL_TLS_H_
#define CMC_COMMON_IDENTITY_INTERNAL_TLS_H_

#include <grpcpp/security/credentials.h>
#include <grpcpp/security/server_credentials.h>

#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"

namespace cmc {

// PEM texts of this process's certificate chain, its key and the CA.
struct InternalTls {
  std::string cert_chain;
  std::string private_key;
  std::string root_certs;
};

// The internal TLS of the flags: nullopt when none of the three is set;
// INVALID_ARGUMENT naming the flag when only some are, or a file cannot be
// read.
absl::StatusOr<std::optional<InternalTls>> InternalTlsFromFlags();

// Makes `tls` the process's internal TLS (nullopt: plaintext) and sets the
// peer trust to match (peer.h). Call once at start, before serving or
// creating channels.
void UseInternalTls(std::optional<InternalTls> tls);
bool InternalTlsEnabled();

// A domain service's port: mutual TLS requiring a client certificate of the
// CA, or plaintext without internal TLS.
std::shared_ptr<grpc::ServerCredentials> InternalServerCredentials();
// A channel to another CMC process: this process's certificate, the peer
// verified against the CA; plaintext without internal TLS.
std::shared_ptr<grpc::ChannelCredentials> InternalChannelCredentials();

}  // namespace cmc

#endif  // CMC_COMMON_IDENTITY_INTERNAL_TLS_H_
