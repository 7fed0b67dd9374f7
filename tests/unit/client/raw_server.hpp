#pragma once

// A deliberately small HTTP server on POSIX sockets for the client's tests: each test scripts the
// exact bytes (garbage, truncated bodies, endless bodies, silence), which no real server would
// send. One thread serves connections one after another.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace authpp::test {

class raw_server {
 public:
  // connection lets a handler write the answer and wait without blocking shutdown.
  class connection {
   public:
    connection(int fd, raw_server& server) : fd_(fd), server_(server) {}
    // write sends all of `bytes`; false once the peer is gone.
    bool write(std::string_view bytes) {
      while (!bytes.empty()) {
        const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
        if (n <= 0) return false;
        bytes.remove_prefix(static_cast<std::size_t>(n));
      }
      return true;
    }
    // wait_for sleeps up to `d`, returning early when the server stops.
    void wait_for(std::chrono::milliseconds d) {
      std::unique_lock lock(server_.mutex_);
      server_.cv_.wait_for(lock, d, [&] { return server_.stopping_.load(); });
    }

   private:
    int fd_;
    raw_server& server_;
  };

  // handler receives the raw request (head and body) and answers through the connection.
  using handler = std::function<void(const std::string& request, connection& c)>;

  explicit raw_server(handler h) : handler_(std::move(h)) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);  // NOLINT
    ::listen(listen_fd_, 16);
    socklen_t len = sizeof addr;
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);  // NOLINT
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { run(); });
  }
  ~raw_server() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    cv_.notify_all();
    thread_.join();
    ::close(listen_fd_);
  }
  raw_server(const raw_server&) = delete;
  raw_server& operator=(const raw_server&) = delete;

  std::uint16_t port() const { return port_; }
  std::string url(std::string_view path = "") const {
    return "http://127.0.0.1:" + std::to_string(port_) + std::string(path);
  }
  // requests returns every request received so far.
  std::vector<std::string> requests() const {
    std::lock_guard lock(mutex_);
    return requests_;
  }

  // response builds a complete HTTP/1.1 answer that closes the connection.
  static std::string response(int status, std::string_view body,
                              std::string_view extra_headers = "",
                              std::string_view type = "application/json") {
    return "HTTP/1.1 " + std::to_string(status) + " X\r\nContent-Type: " + std::string(type) +
           "\r\nContent-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n" +
           std::string(extra_headers) + "\r\n" + std::string(body);
  }

 private:
  void run() {
    while (!stopping_) {
      pollfd p{listen_fd_, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      const int fd = ::accept(listen_fd_, nullptr, nullptr);
      if (fd < 0) continue;
      const std::string request = read_request(fd);
      {
        std::lock_guard lock(mutex_);
        requests_.push_back(request);
      }
      connection c(fd, *this);
      handler_(request, c);
      ::shutdown(fd, SHUT_WR);
      ::close(fd);
    }
  }

  // read_request reads the head and a Content-Length body, giving up after 5 s of silence.
  static std::string read_request(int fd) {
    std::string data;
    char buf[4096];
    for (;;) {
      const std::size_t head_end = data.find("\r\n\r\n");
      if (head_end != std::string::npos) {
        std::size_t length = 0;
        const std::size_t cl = data.find("Content-Length: ");
        if (cl != std::string::npos && cl < head_end) length = std::stoul(data.substr(cl + 16));
        if (data.size() >= head_end + 4 + length) return data;
      }
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, 5000) <= 0) return data;
      const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n <= 0) return data;
      data.append(buf, static_cast<std::size_t>(n));
    }
  }

  handler handler_;
  int listen_fd_ = -1;
  std::uint16_t port_ = 0;
  std::thread thread_;
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  std::atomic<bool> stopping_{false};
  std::vector<std::string> requests_;
};

}  // namespace authpp::test
