#pragma once

// A scripted server for the outbound client's tests: blocking POSIX sockets on 127.0.0.1:0,
// optionally TLS through OpenSSL, one thread per accepted connection, each running the test's
// handler. Handlers script exact bytes (garbage, truncation, silence, endless bodies) that no
// real server would send. Stopping shuts every socket down, so no handler can hang a test.
#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace authpp::test {

class test_server {
 public:
  // peer is one accepted connection as the server sees it.
  class peer {
   public:
    peer(int fd, SSL* ssl, test_server& server) : fd_(fd), ssl_(ssl), server_(server) {}

    // read_request reads one request: the head, then a Content-Length body. It returns nullopt
    // if the connection ends first.
    std::optional<std::string> read_request() {
      for (;;) {
        const std::size_t head_end = pending_.find("\r\n\r\n");
        if (head_end != std::string::npos) {
          const std::size_t length = content_length(pending_.substr(0, head_end + 2));
          const std::size_t total = head_end + 4 + length;
          if (pending_.size() >= total) {
            std::string out = pending_.substr(0, total);
            pending_.erase(0, total);
            return out;
          }
        }
        if (!receive()) return std::nullopt;
      }
    }

    // send writes all of `bytes`; false once the client is gone.
    bool send(std::string_view bytes) {
      while (!bytes.empty()) {
        long n = 0;
        if (ssl_ != nullptr) {
          n = SSL_write(ssl_, bytes.data(), static_cast<int>(bytes.size()));
        } else {
          n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
        }
        if (n <= 0) return false;
        bytes.remove_prefix(static_cast<std::size_t>(n));
      }
      return true;
    }

    // wait_closed reads (and drops) until the client closes or resets the connection, and says
    // whether it did (false: the server is stopping).
    bool wait_closed() {
      while (receive()) {
      }
      pending_.clear();
      return !server_.stopping_;
    }

    // close_now closes the connection at once.
    void close_now() { ::shutdown(fd_, SHUT_RDWR); }

   private:
    bool receive() {
      char buf[16384];
      long n = 0;
      if (ssl_ != nullptr) {
        n = SSL_read(ssl_, buf, sizeof buf);
      } else {
        n = ::recv(fd_, buf, sizeof buf, 0);
      }
      if (n <= 0) return false;
      pending_.append(buf, static_cast<std::size_t>(n));
      return true;
    }

    static std::size_t content_length(const std::string& head) {
      std::string lower = head;
      for (char& c : lower) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
      const std::size_t at = lower.find("\r\ncontent-length:");
      return at == std::string::npos ? 0 : std::stoul(head.substr(at + 17));
    }

    int fd_;
    SSL* ssl_;
    test_server& server_;
    std::string pending_;
  };

  using handler = std::function<void(peer&)>;

  // test_server listens on 127.0.0.1:0 and runs `h` for each connection; with `tls` it first
  // completes a TLS handshake (a failed one is counted, and the handler is not run).
  explicit test_server(handler h, SSL_CTX* tls = nullptr) : handler_(std::move(h)), tls_(tls) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);  // NOLINT
    ::listen(listen_fd_, 64);
    socklen_t len = sizeof addr;
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);  // NOLINT
    port_ = ntohs(addr.sin_port);
    if (::pipe(wake_) != 0) wake_[0] = wake_[1] = -1;
    acceptor_ = std::thread([this] { accept_loop(); });
  }

  ~test_server() {
    stopping_ = true;
    (void)!::write(wake_[1], "x", 1);
    acceptor_.join();
    {
      std::lock_guard lock(mutex_);
      for (const int fd : open_) ::shutdown(fd, SHUT_RDWR);
    }
    for (auto& t : workers_) t.join();
    ::close(listen_fd_);
    ::close(wake_[0]);
    ::close(wake_[1]);
  }
  test_server(const test_server&) = delete;
  test_server& operator=(const test_server&) = delete;

  std::uint16_t port() const { return port_; }
  std::string url(std::string_view path = "/", std::string_view host = "127.0.0.1") const {
    return std::string(tls_ != nullptr ? "https://" : "http://") + std::string(host) + ":" +
           std::to_string(port_) + std::string(path);
  }
  int accepts() const { return accepts_; }
  int failed_handshakes() const { return failed_handshakes_; }
  // server_names lists the SNI of each TLS connection ("" when the client sent none).
  std::vector<std::string> server_names() const {
    std::lock_guard lock(mutex_);
    return server_names_;
  }

  // response builds an HTTP/1.1 answer with a Content-Length.
  static std::string response(int status, std::string_view body, std::string_view fields = "") {
    return "HTTP/1.1 " + std::to_string(status) +
           " X\r\nContent-Length: " + std::to_string(body.size()) + "\r\n" + std::string(fields) +
           "\r\n" + std::string(body);
  }

 private:
  void accept_loop() {
    while (!stopping_) {
      pollfd p[2] = {{listen_fd_, POLLIN, 0}, {wake_[0], POLLIN, 0}};
      if (::poll(p, 2, -1) <= 0 || stopping_) continue;
      const int fd = ::accept(listen_fd_, nullptr, nullptr);
      if (fd < 0) continue;
      ++accepts_;
      std::lock_guard lock(mutex_);
      open_.insert(fd);
      workers_.emplace_back([this, fd] { serve(fd); });
    }
  }

  void serve(int fd) {
    SSL* ssl = nullptr;
    bool ready = true;
    if (tls_ != nullptr) {
      ssl = SSL_new(tls_);
      SSL_set_fd(ssl, fd);
      ready = SSL_accept(ssl) == 1;
      const char* name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
      std::lock_guard lock(mutex_);
      server_names_.emplace_back(name != nullptr ? name : "");
      if (!ready) ++failed_handshakes_;
    }
    if (ready) {
      peer p(fd, ssl, *this);
      handler_(p);
    }
    {
      std::lock_guard lock(mutex_);
      open_.erase(fd);
    }
    if (ssl != nullptr) SSL_free(ssl);
    ::close(fd);
  }

  handler handler_;
  SSL_CTX* tls_;
  int listen_fd_ = -1;
  int wake_[2] = {-1, -1};
  std::uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<int> accepts_{0};
  std::atomic<int> failed_handshakes_{0};
  mutable std::mutex mutex_;
  std::set<int> open_;
  std::vector<std::string> server_names_;
  std::vector<std::thread> workers_;
  std::thread acceptor_;
};

}  // namespace authpp::test
