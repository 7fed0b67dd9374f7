#pragma once

// A deliberately dumb blocking HTTP/1.1 client on POSIX sockets, so server tests control every
// byte on the wire (partial headers, pipelining, silence) and never share code with the server.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

namespace authpp::test {

class raw_client {
 public:
  // raw_client connects to 127.0.0.1:port, from `source` (another loopback address stands for
  // another client); reads give up after `timeout` (a bound, not a sleep).
  explicit raw_client(std::uint16_t port, std::chrono::seconds timeout = std::chrono::seconds(10),
                      const char* source = nullptr) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    if (source != nullptr) {
      sockaddr_in from{};
      from.sin_family = AF_INET;
      ::inet_pton(AF_INET, source, &from.sin_addr);
      ::bind(fd_, reinterpret_cast<sockaddr*>(&from), sizeof from);  // NOLINT
    }
    timeval tv{static_cast<time_t>(timeout.count()), 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;  // NOLINT
  }
  ~raw_client() {
    if (fd_ >= 0) ::close(fd_);
  }
  raw_client(const raw_client&) = delete;
  raw_client& operator=(const raw_client&) = delete;

  bool connected() const { return connected_; }

  bool send(const std::string& bytes) {
    std::size_t done = 0;
    while (done < bytes.size()) {
      const ssize_t n = ::send(fd_, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
      if (n <= 0) return false;
      done += static_cast<std::size_t>(n);
    }
    return true;
  }

  // read_response reads one response (headers + Content-Length body); nullopt on EOF/timeout.
  std::optional<std::string> read_response() {
    while (true) {
      const auto end = buffer_.find("\r\n\r\n");
      if (end != std::string::npos) {
        std::size_t length = 0;
        const auto cl = lower(buffer_.substr(0, end)).find("content-length:");
        if (cl != std::string::npos) length = std::stoul(buffer_.substr(cl + 15));
        if (buffer_.size() >= end + 4 + length) {
          std::string out = buffer_.substr(0, end + 4 + length);
          buffer_.erase(0, end + 4 + length);
          return out;
        }
      }
      if (!fill()) return std::nullopt;
    }
  }

  // read_head reads one response's status line and headers only (the answer to a HEAD).
  std::optional<std::string> read_head() {
    while (true) {
      if (const auto end = buffer_.find("\r\n\r\n"); end != std::string::npos) {
        std::string out = buffer_.substr(0, end + 4);
        buffer_.erase(0, end + 4);
        return out;
      }
      if (!fill()) return std::nullopt;
    }
  }

  // flood sends `piece` again and again until the peer stops taking bytes (it closed, or the read
  // timeout passed with the socket full) or `most` bytes went out; it returns the bytes sent.
  std::size_t flood(const std::string& piece, std::size_t most) {
    std::size_t sent = 0;
    while (sent < most && send(piece)) sent += piece.size();
    return sent;
  }

  // closed_by_peer waits (up to the read timeout) for the server to close the connection.
  bool closed_by_peer() {
    char c;
    const ssize_t n = ::recv(fd_, &c, 1, 0);
    return n == 0;
  }

 private:
  static std::string lower(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
  }
  bool fill() {
    char chunk[4096];
    const ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n <= 0) return false;
    buffer_.append(chunk, static_cast<std::size_t>(n));
    return true;
  }

  int fd_ = -1;
  bool connected_ = false;
  std::string buffer_;
};

inline std::string get_request(const std::string& target, const std::string& extra = "") {
  return "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + extra + "\r\n";
}

}  // namespace authpp::test
