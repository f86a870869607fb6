// Which backend calls the gateway retries, and the gRPC service config that
// makes its backend channels do it (backend_channels.h); which methods take a
// single request message (proxy.h). Pure functions over the compiled
// contracts.
//
// Only idempotent reads are retried: unary methods whose name starts with
// Get, List or BatchGet (EventFeed/ListEvents included), at most 3 attempts,
// with a small backoff (20 ms growing to at most 200 ms), and only after
// UNAVAILABLE, i.e. when the backend refused or dropped the call before
// answering. Writes (Create*, Update*, Import*, transitions) are never
// retried: an UNAVAILABLE write may have happened, and its caller decides
// (with the same request_id). Watch streams are never retried: their consumers
// resume from their last sequence. gRPC keeps every retry within the call's
// deadline and stops retrying once the backend has started answering.
//
//   grpc::ChannelArguments args;
//   args.SetServiceConfigJSON(ReadRetryServiceConfig(PublishedServices()));
#ifndef CMC_SERVICES_GATEWAY_RETRY_POLICY_H_
#define CMC_SERVICES_GATEWAY_RETRY_POLICY_H_

#include <google/protobuf/descriptor.h>

#include <set>
#include <string>
#include <vector>

namespace cmc::gateway {

// True for an idempotent read (see the file comment): unary, and named Get*,
// List* or BatchGet*.
bool IsRetryableRead(const google::protobuf::MethodDescriptor& method);

// "package.Service/Method" of every retryable read of `services`, in order.
std::vector<std::string> RetryableReadMethods(
    const std::vector<const google::protobuf::ServiceDescriptor*>& services);

// The service config (JSON) that retries the reads of `services` as the file
// comment says, with retry throttling (retries stop while more than half of
// a channel's recent calls failed) so a backend that is down is not hit with
// three times the load.
std::string ReadRetryServiceConfig(
    const std::vector<const google::protobuf::ServiceDescriptor*>& services);

// "/package.Service/Method" (as gRPC names a call) of every method of
// `services` that takes exactly one request message: unary and
// server-streaming methods.
std::set<std::string> SingleRequestMethods(
    const std::vector<const google::protobuf::ServiceDescriptor*>& services);

// "/package.Service/Method" of every unary method of `services` (one request
// message, one response message).
std::set<std::string> UnaryMethods(
    const std::vector<const google::protobuf::ServiceDescriptor*>& services);

// The services the gateway forwards to: cmc.common.v1.EventFeed and every
// cmc.<area>.v1.<Area>Service compiled into the binary.
std::vector<const google::protobuf::ServiceDescriptor*> PublishedServices();

}  // namespace cmc::gateway

#endif  // CMC_SERVICES_GATEWAY_RETRY_POLICY_H_
