#include "services/gateway/proxy.h"

#include <grpcpp/support/byte_buffer.h>
#include <grpcpp/support/client_callback.h>

#include <chrono>
#include <optional>
#include <utility>
#include <vector>

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "common/identity/principal.h"
#include "common/log.h"
#include "common/status.h"
#include "services/gateway/audit_record.h"
#include "services/gateway/retry_policy.h"

namespace cmc::gateway {
namespace {

using Clock = std::chrono::steady_clock;

// Readies the backend's side of a forwarded call: the caller's headers the
// backends may see, the caller's verified principal and `deadline`.
void PrepareBackendContext(const grpc::GenericCallbackServerContext& caller,
                           const Principal& principal,
                           std::chrono::system_clock::time_point deadline,
                           grpc::ClientContext* backend) {
  for (const auto& [key, value] :
       ForwardedHeaders(caller.client_metadata(), HeaderDirection::kRequest)) {
    backend->AddMetadata(key, value);
  }
  AttachPrincipal(principal, backend);
  backend->set_deadline(deadline);
}

// Pass the backend's initial, resp. trailing, metadata on to the caller; call
// once the backend has sent it.
void ForwardInitialMetadata(const grpc::ClientContext& backend,
                            grpc::ServerContextBase* caller) {
  for (const auto& [key, value] : ForwardedHeaders(
           backend.GetServerInitialMetadata(), HeaderDirection::kResponse)) {
    caller->AddInitialMetadata(key, value);
  }
}
void ForwardTrailingMetadata(const grpc::ClientContext& backend,
                             grpc::ServerContextBase* caller) {
  for (const auto& [key, value] : ForwardedHeaders(
           backend.GetServerTrailingMetadata(), HeaderDirection::kResponse)) {
    caller->AddTrailingMetadata(key, value);
  }
}

// The status the caller sees for the backend's `status` (see proxy.h).
grpc::Status CallerStatus(const grpc::Status& status, const Backend& backend) {
  if (status.error_code() != grpc::StatusCode::UNAVAILABLE) return status;
  const absl::Status original = FromGrpcStatus(status);
  absl::Status unavailable = absl::UnavailableError(
      absl::StrCat("backend ", backend.name, " (", backend.address,
                   ") is unavailable: ", original.message()));
  original.ForEachPayload(
      [&unavailable](absl::string_view url, const absl::Cord& payload) {
        unavailable.SetPayload(url, payload);
      });
  return ToGrpcStatus(WithErrorInfo(
      std::move(unavailable), "BACKEND_UNAVAILABLE", "backend", backend.name));
}

void LogCall(const std::string& method, absl::string_view backend,
             const grpc::Status& status, Clock::time_point start) {
  Log(LogLevel::kDebug, "gateway_call")
      .Field("method", method)
      .Field("backend", backend)
      .Field("code", static_cast<int>(status.error_code()))
      .Field("ms", static_cast<int64_t>(
                       std::chrono::duration_cast<std::chrono::milliseconds>(
                           Clock::now() - start)
                           .count()));
}

// Records a finished call in the audit trail when it changed data or its
// backend marked the response as carrying unmasked personal data.
void RecordAudit(AuditSink* audit,
                 const grpc::GenericCallbackServerContext& context,
                 const grpc::ClientContext& backend_context,
                 const Principal& principal, const grpc::Status& status,
                 Clock::time_point start) {
  if (audit == nullptr) return;
  const bool personal_data =
      MarksPersonalData(backend_context.GetServerTrailingMetadata());
  if (!IsAuditedCall(context.method(), personal_data)) return;
  const std::string peer = context.peer();
  audit->Record(BuildAuditRecord(FinishedCall{
      context.method(), &principal, &context.client_metadata(),
      status.error_code(), absl::Now(), absl::FromChrono(Clock::now() - start),
      peer, personal_data}));
}

// One forwarded call: the server reactor of the caller's stream, owning the
// client reactor of the backend's stream.
//
// Threading: gRPC runs the reactions of both streams on its own threads,
// concurrently. Every reaction takes mu_ and starts the follow-up operation
// while holding it (the pattern of gRPC's callback examples; gRPC never runs a
// reaction inline inside a Start* call, so this cannot deadlock). Only one read
// and one write are in flight per stream and direction, because the next
// message is read from a side only when the previous one was written to the
// other side.
//
// Lifetime: the backend stream is kept alive by two holds, one per direction,
// released when that direction can start no more operations on it; only then
// can its OnDone run, so no operation is ever started on a finished backend
// stream. The caller's stream is finished from the backend's OnDone (or at once
// when routing failed), after any write to the caller completes. The relay
// deletes itself after both OnDones have run.
class Relay final : public grpc::ServerGenericBidiReactor {
 public:
  // A call that routing rejected: finishes with `status` and calls no backend.
  Relay(grpc::GenericCallbackServerContext* context, const grpc::Status& status)
      : context_(context), backend_call_(this), backend_done_(true) {
    LogCall(context_->method(), "", status, start_);
    Finish(status);
  }

  // A call forwarded to `backend` through `stub`, ending no later than
  // `deadline`. `principal` is the caller's verified identity, passed on in
  // x-cmc-principal-* headers (none when anonymous). `single_request`: the
  // method takes exactly one request message (unary or server streaming).
  Relay(grpc::GenericCallbackServerContext* context, const Backend& backend,
        grpc::GenericStub& stub, std::chrono::system_clock::time_point deadline,
        Principal principal, AuditSink* audit, bool single_request,
        std::optional<absl::Time> token_end)
      : context_(context),
        backend_(backend),
        single_request_(single_request),
        token_end_(token_end),
        principal_(std::move(principal)),
        audit_(audit),
        backend_call_(this) {
    absl::MutexLock lock(&mu_);
    PrepareBackendContext(*context_, principal_, deadline, &backend_context_);
    // The backend hears of the call only with its first request message (or
    // the caller's half-close), so a call that fails before it, e.g. a request
    // larger than --max_message_bytes, never reaches the backend.
    backend_context_.set_initial_metadata_corked(true);
    stub.PrepareBidiStreamingCall(&backend_context_, context_->method(),
                                  grpc::StubOptions(), &backend_call_);
    backend_call_.AddMultipleHolds(2);  // requests_closed_, responses_closed_
    backend_call_.StartRead(&response_);
    backend_call_.StartCall();
    StartRead(&request_);
  }

  // A request message from the caller, or the end of the requests.
  void OnReadDone(bool ok) override {
    bool cancel_backend = false;
    {
      absl::MutexLock lock(&mu_);
      if (requests_closed_)
        return;  // the backend has finished; nothing to send it
      if (ok) {
        request_forwarded_ = true;
        backend_write_in_flight_ = true;
        backend_call_.StartWrite(&request_);
      } else if (!request_forwarded_ && single_request_) {
        // The caller's stream ended before the one request message of this
        // method arrived: it failed (a request larger than
        // --max_message_bytes; the caller already has RESOURCE_EXHAUSTED) or
        // was cancelled. The backend, not told yet (corked initial metadata),
        // is never told, and the gateway's refusal is not audited.
        CloseRequests();
        cancel_backend = true;
      } else {
        backend_call_.StartWritesDone();
        CloseRequests();
      }
    }
    if (cancel_backend) backend_context_.TryCancel();
  }

  // A response was written to the caller.
  void OnWriteDone(bool ok) override {
    bool cancel = false;
    {
      absl::MutexLock lock(&mu_);
      caller_write_in_flight_ = false;
      if (!ok) {  // the caller is gone
        CloseResponses();
        cancel = true;
      } else if (!responses_closed_) {
        backend_call_.StartRead(&response_);
      }
      if (backend_status_.has_value()) FinishCaller();
    }
    if (cancel) backend_context_.TryCancel();
  }

  void OnCancel() override { backend_context_.TryCancel(); }

  void OnDone() override {
    bool both_done;
    {
      absl::MutexLock lock(&mu_);
      caller_done_ = true;
      both_done = backend_done_;
    }
    if (both_done) delete this;
  }

 private:
  // The backend stream's reactions, handed to the relay.
  class BackendCall final
      : public grpc::ClientBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer> {
   public:
    explicit BackendCall(Relay* relay) : relay_(relay) {}
    void OnReadInitialMetadataDone(bool ok) override {
      relay_->OnBackendInitialMetadata(ok);
    }
    void OnReadDone(bool ok) override { relay_->OnBackendReadDone(ok); }
    void OnWriteDone(bool ok) override { relay_->OnBackendWriteDone(ok); }
    void OnDone(const grpc::Status& status) override {
      relay_->OnBackendDone(status);
    }

   private:
    Relay* const relay_;
  };

  // `ok` is false when the backend answered with trailers only (an immediate
  // error) or failed.
  void OnBackendInitialMetadata(bool ok) {
    absl::MutexLock lock(&mu_);
    if (ok) {
      ForwardInitialMetadata(backend_context_, context_);
      StartSendInitialMetadata();
    }
    initial_metadata_done_ = true;
    if (response_pending_) {
      response_pending_ = false;
      WriteResponse();
    }
  }

  // A response message from the backend, or the end of the responses.
  void OnBackendReadDone(bool ok) {
    absl::MutexLock lock(&mu_);
    if (ok) {
      // The caller gets the backend's initial metadata before the first
      // response; the reactions may run in either order.
      if (initial_metadata_done_) {
        WriteResponse();
      } else {
        response_pending_ = true;
      }
      return;
    }
    CloseResponses();
    // The backend has finished: a request in flight will fail, and later ones
    // are dropped.
    if (!backend_write_in_flight_) CloseRequests();
  }

  // A request was written to the backend.
  void OnBackendWriteDone(bool ok) {
    absl::MutexLock lock(&mu_);
    backend_write_in_flight_ = false;
    if (ok && !responses_closed_) {
      StartRead(&request_);
    } else {
      CloseRequests();
    }
  }

  void OnBackendDone(const grpc::Status& status) {
    bool both_done;
    {
      absl::MutexLock lock(&mu_);
      backend_done_ = true;
      backend_status_ = status;
      if (!caller_write_in_flight_) FinishCaller();
      both_done = caller_done_;
    }
    if (both_done) delete this;
  }

  void WriteResponse() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    caller_write_in_flight_ = true;
    StartWrite(&response_);
  }

  void CloseRequests() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (requests_closed_) return;
    requests_closed_ = true;
    backend_call_.RemoveHold();
  }

  void CloseResponses() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (responses_closed_) return;
    responses_closed_ = true;
    backend_call_.RemoveHold();
  }

  // The backend call ran into the token's end (its deadline).
  bool TokenExpired() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return token_end_.has_value() &&
           backend_status_->error_code() ==
               grpc::StatusCode::DEADLINE_EXCEEDED &&
           absl::Now() >= *token_end_ - absl::Milliseconds(100);
  }

  void FinishCaller() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (finished_) return;
    finished_ = true;
    ForwardTrailingMetadata(backend_context_, context_);
    // A single-request call whose request never came was never sent to the
    // backend (corked): the caller's call failed or was cancelled before.
    const bool refused = single_request_ && !request_forwarded_;
    const grpc::Status status =
        refused ? grpc::Status(grpc::StatusCode::CANCELLED,
                               "the call ended before its request arrived")
        : TokenExpired()
            ? grpc::Status(grpc::StatusCode::UNAUTHENTICATED, "token expired")
            : CallerStatus(*backend_status_, backend_);
    LogCall(context_->method(), backend_.name, status, start_);
    if (!refused) {
      RecordAudit(audit_, *context_, backend_context_, principal_, status,
                  start_);
    }
    Finish(status);
  }

  grpc::GenericCallbackServerContext* const context_;
  const Backend backend_;
  const bool single_request_ = false;
  // When the caller's token ends before its deadline: the stream ends then.
  const std::optional<absl::Time> token_end_;
  const Principal principal_;
  AuditSink* const audit_ = nullptr;
  const Clock::time_point start_ = Clock::now();
  grpc::ClientContext backend_context_;
  BackendCall backend_call_;
  grpc::ByteBuffer
      request_;  // read from the caller, then written to the backend
  grpc::ByteBuffer
      response_;  // read from the backend, then written to the caller

  absl::Mutex mu_;
  // A request message went to the backend.
  bool request_forwarded_ ABSL_GUARDED_BY(mu_) = false;
  // The backend's initial metadata was handled.
  bool initial_metadata_done_ ABSL_GUARDED_BY(mu_) = false;
  // response_ waits for the initial metadata.
  bool response_pending_ ABSL_GUARDED_BY(mu_) = false;
  bool backend_write_in_flight_ ABSL_GUARDED_BY(mu_) = false;
  bool caller_write_in_flight_ ABSL_GUARDED_BY(mu_) = false;
  // No more backend writes; that hold is released.
  bool requests_closed_ ABSL_GUARDED_BY(mu_) = false;
  // No more backend reads; that hold is released.
  bool responses_closed_ ABSL_GUARDED_BY(mu_) = false;
  std::optional<grpc::Status> backend_status_ ABSL_GUARDED_BY(mu_);
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
  bool caller_done_ ABSL_GUARDED_BY(mu_) = false;
  bool backend_done_ ABSL_GUARDED_BY(mu_) = false;
};

// One forwarded unary call (one request, one response): read the caller's
// request, make one unary call to the backend, answer with its response and
// status in one operation. Fewer operations and thread hand-offs than the
// streaming Relay, and the backend call starts only once the whole request
// has arrived, so a request the caller's side refuses (larger than
// --max_message_bytes) never reaches the backend.
//
// Threading: the reactions run one after another (one operation in flight at
// a time); OnCancel may run at any time and only cancels the backend call,
// which is thread-safe. Lifetime: Finish is called once, from OnReadDone or
// from the backend call's callback, as the last thing either does; OnDone
// follows it and deletes the relay.
class UnaryRelay final : public grpc::ServerGenericBidiReactor {
 public:
  UnaryRelay(grpc::GenericCallbackServerContext* context,
             const Backend& backend, grpc::GenericStub& stub,
             std::chrono::system_clock::time_point deadline,
             Principal principal, AuditSink* audit)
      : context_(context),
        backend_(backend),
        stub_(stub),
        principal_(std::move(principal)),
        audit_(audit) {
    PrepareBackendContext(*context_, principal_, deadline, &backend_context_);
    StartRead(&request_);
  }

  void OnReadDone(bool ok) override {
    if (!ok) {
      // No request: the caller's call failed (too large) or was cancelled,
      // or it half-closed without a message. The backend is never called
      // and, as every refusal of the gateway, this is not audited.
      const grpc::Status status(grpc::StatusCode::INVALID_ARGUMENT,
                                "the call ended before its request message");
      LogCall(context_->method(), backend_.name, status, start_);
      Finish(status);
      return;
    }
    stub_.UnaryCall(&backend_context_, context_->method(), grpc::StubOptions(),
                    &request_, &response_,
                    [this](grpc::Status status) { OnBackendDone(status); });
  }

  void OnCancel() override { backend_context_.TryCancel(); }

  void OnDone() override { delete this; }

 private:
  void OnBackendDone(const grpc::Status& backend_status) {
    ForwardInitialMetadata(backend_context_, context_);
    ForwardTrailingMetadata(backend_context_, context_);
    const grpc::Status status = CallerStatus(backend_status, backend_);
    LogCall(context_->method(), backend_.name, status, start_);
    RecordAudit(audit_, *context_, backend_context_, principal_, status,
                start_);
    if (status.ok()) {
      StartWriteAndFinish(&response_, grpc::WriteOptions(), status);
    } else {
      Finish(status);
    }
  }

  grpc::GenericCallbackServerContext* const context_;
  const Backend backend_;
  grpc::GenericStub& stub_;
  const Principal principal_;
  AuditSink* const audit_;
  const Clock::time_point start_ = Clock::now();
  grpc::ClientContext backend_context_;
  grpc::ByteBuffer request_;
  grpc::ByteBuffer response_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<Proxy>> Proxy::Create(
    RouteTable routes, const BackendChannels& channels, ProxyOptions options) {
  if (options.default_timeout <= absl::ZeroDuration()) {
    return InvalidField("default_timeout", "must be positive");
  }
  if (options.max_timeout <= absl::ZeroDuration()) {
    return InvalidField("max_timeout", "must be positive");
  }
  std::map<std::string, grpc::GenericStub> stubs;
  for (const Backend& backend : routes.backends()) {
    auto channel = channels.find(backend.name);
    if (channel == channels.end() || channel->second == nullptr) {
      return InvalidField(
          "channels", absl::StrCat("no channel for backend ", backend.name));
    }
    stubs.emplace(backend.name, grpc::GenericStub(channel->second));
  }
  return std::unique_ptr<Proxy>(
      new Proxy(std::move(routes), std::move(stubs), options));
}

Proxy::Proxy(RouteTable routes, std::map<std::string, grpc::GenericStub> stubs,
             ProxyOptions options)
    : routes_(std::move(routes)),
      stubs_(std::move(stubs)),
      single_request_methods_(SingleRequestMethods(PublishedServices())),
      unary_methods_(UnaryMethods(PublishedServices())),
      options_(options) {}

grpc::ServerGenericBidiReactor* Proxy::CreateReactor(
    grpc::GenericCallbackServerContext* context) {
  Principal principal;
  absl::Time valid_until = absl::InfiniteFuture();
  if (options_.access_control != nullptr) {
    absl::StatusOr<Principal> admitted = options_.access_control->AdmitCall(
        context->method(), *context, absl::Now(), &valid_until);
    if (!admitted.ok()) {
      return new Relay(context, ToGrpcStatus(admitted.status()));
    }
    principal = *std::move(admitted);
  }
  absl::string_view service_header;
  auto header = context->client_metadata().find(std::string(kServiceHeader));
  if (header != context->client_metadata().end()) {
    service_header =
        absl::string_view(header->second.data(), header->second.size());
  }
  absl::StatusOr<std::string> name =
      routes_.Route(context->method(), service_header);
  if (!name.ok()) return new Relay(context, ToGrpcStatus(name.status()));
  // A subscription (Watch*) without a deadline may run as long as any call may.
  const absl::Duration default_timeout = IsSubscription(context->method())
                                             ? options_.max_timeout
                                             : options_.default_timeout;
  auto deadline =
      ForwardDeadline(context->deadline(), std::chrono::system_clock::now(),
                      default_timeout, options_.max_timeout);
  if (unary_methods_.count(context->method()) > 0) {
    return new UnaryRelay(context, *routes_.Find(*name), stubs_.at(*name),
                          deadline, std::move(principal), options_.audit);
  }
  // A stream ends when its token does: the backend's deadline is the token's
  // end, and the caller then gets UNAUTHENTICATED (FinishCaller).
  std::optional<absl::Time> token_end;
  if (valid_until != absl::InfiniteFuture() &&
      absl::FromChrono(deadline) > valid_until) {
    token_end = valid_until;
    deadline = absl::ToChronoTime(valid_until);
  }
  return new Relay(context, *routes_.Find(*name), stubs_.at(*name), deadline,
                   std::move(principal), options_.audit,
                   single_request_methods_.count(context->method()) > 0,
                   token_end);
}

}  // namespace cmc::gateway
