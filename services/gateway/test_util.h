// Helpers shared by the gateway's tests.
#ifndef CMC_SERVICES_GATEWAY_TEST_UTIL_H_
#define CMC_SERVICES_GATEWAY_TEST_UTIL_H_

#include <arpa/inet.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <memory>
#include <string>

namespace cmc::gateway {

// A port on 127.0.0.1 that is bound but not listening: a connection to it is
// refused at once, and no other process can take the port while this object
// lives. Stands for a backend that is down.
class RefusingPort {
 public:
  RefusingPort() : fd_(socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    socklen_t len = sizeof(addr);
    EXPECT_EQ(bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
    EXPECT_EQ(getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len), 0);
    port_ = ntohs(addr.sin_port);
  }
  RefusingPort(const RefusingPort&) = delete;
  RefusingPort& operator=(const RefusingPort&) = delete;
  ~RefusingPort() { close(fd_); }

  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }

 private:
  int fd_;
  int port_ = 0;
};

// A caller's stream on a generic method, driven one operation at a time through
// a completion queue, so a test can interleave writes and reads as it likes.
class GenericCall {
 public:
  GenericCall(grpc::GenericStub& stub, grpc::ClientContext* context,
              const std::string& method)
      : call_(stub.PrepareCall(context, method, &cq_)) {
    call_->StartCall(this);
    Wait();
  }
  ~GenericCall() {
    cq_.Shutdown();
    void* tag;
    bool ok;
    while (cq_.Next(&tag, &ok)) {
    }
  }

  bool Write(const std::string& text) {
    grpc::Slice slice(text);
    grpc::ByteBuffer buffer(&slice, 1);
    call_->Write(buffer, this);
    return Wait();
  }
  bool Read(std::string* text) {
    grpc::ByteBuffer buffer;
    call_->Read(&buffer, this);
    if (!Wait()) return false;
    grpc::Slice slice;
    EXPECT_TRUE(buffer.TrySingleSlice(&slice).ok() ||
                buffer.DumpToSingleSlice(&slice).ok());
    *text =
        std::string(reinterpret_cast<const char*>(slice.begin()), slice.size());
    return true;
  }
  void WritesDone() {
    call_->WritesDone(this);
    Wait();
  }
  grpc::Status Finish() {
    grpc::Status status;
    call_->Finish(&status, this);
    Wait();
    return status;
  }

 private:
  bool Wait() {
    void* tag;
    bool ok = false;
    EXPECT_TRUE(cq_.Next(&tag, &ok));
    return ok;
  }

  grpc::CompletionQueue cq_;
  std::unique_ptr<grpc::GenericClientAsyncReaderWriter> call_;
};

}  // namespace cmc::gateway

#endif  // CMC_SERVICES_GATEWAY_TEST_UTIL_H_
