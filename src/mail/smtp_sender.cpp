#include <authpp/core/random.hpp>
#include <authpp/mail/mail.hpp>

#include <algorithm>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include <curl/curl.h>
#include <unistd.h>

#include "address.hpp"
#include "link.hpp"
#include "mime.hpp"
#include "smtp_url.hpp"

namespace authpp::mail {
namespace {

// curl_global_init is not thread-safe before 7.84 and must run once before any handle exists.
// It counts its calls, so the client module calling it too is fine.
result<void> init_curl_once() {
  static std::once_flag once;
  static CURLcode code = CURLE_OK;
  std::call_once(once, [] { code = curl_global_init(CURL_GLOBAL_DEFAULT); });
  if (code != CURLE_OK) return auth_error{errc::transport_failure, curl_easy_strerror(code)};
  return {};
}

struct easy_deleter {
  void operator()(CURL* h) const noexcept { curl_easy_cleanup(h); }
};
struct slist_deleter {
  void operator()(curl_slist* l) const noexcept { curl_slist_free_all(l); }
};

auth_error config_error(std::string detail) {
  return auth_error{errc::invalid_config, std::move(detail)};
}

// exchange is what curl's callbacks read from and write to during one send.
struct exchange {
  std::string_view data;  // the rendered message, uploaded as the DATA
  std::size_t offset = 0;
  std::string refusal{};  // the server's first 4xx or 5xx reply, for the error detail
  std::string pending{};
};

std::size_t on_read(char* buffer, std::size_t size, std::size_t count, void* user) {
  auto* x = static_cast<exchange*>(user);
  const std::size_t n = std::min(size * count, x->data.size() - x->offset);
  std::copy_n(x->data.data() + x->offset, n, buffer);
  x->offset += n;
  return n;
}

// libcurl hands every SMTP reply line to the header callback. A reply ends with the line whose
// fourth character is a space ("250 OK"; "250-…" continues it). The first refusal is kept: after
// it curl still sends QUIT, whose "221 Bye" says nothing. Only visible ASCII is kept and the
// length is bounded: the text goes into logs.
std::size_t on_reply_line(char* data, std::size_t size, std::size_t count, void* user) {
  auto* x = static_cast<exchange*>(user);
  const std::size_t n = size * count;
  std::string_view line(data, n);
  while (!line.empty() && (line.back() == '\r' || line.back() == '\n')) line.remove_suffix(1);
  if (!x->pending.empty()) x->pending += " / ";
  for (char c : line.substr(0, 200)) x->pending += (c >= ' ' && c <= '~') ? c : '?';
  if (line.size() < 4 || line[3] != '-' || x->pending.size() > 600) {
    if (x->refusal.empty() && (line.starts_with('4') || line.starts_with('5'))) {
      x->refusal = std::move(x->pending);
    }
    x->pending.clear();
  }
  return n;
}

class smtp_sender_impl final : public sender {
 public:
  smtp_sender_impl(smtp_options options, smtp_endpoint endpoint, mailbox from)
      : options_(std::move(options)), endpoint_(std::move(endpoint)), from_(std::move(from)) {}

  result<void> send(const sign_in_link& link) override {
    if (auto ok = check_link(link); !ok) return ok;
    auto wire = render(sign_in_message(link, options_.from), std::chrono::system_clock::now(),
                       default_random());
    if (!wire) return wire.error();
    return deliver(link.to, *wire);
  }

 private:
  // require_tls: smtps, or smtp:// to a host that is not loopback without the opt-out. A relay on
  // loopback still gets STARTTLS when it offers it (CURLUSESSL_TRY).
  bool require_tls() const noexcept {
    return endpoint_.implicit_tls || (!endpoint_.loopback && !options_.allow_plaintext);
  }

  result<void> deliver(const std::string& to, std::string_view wire) const {
    if (auto ok = init_curl_once(); !ok) return ok;
    // One easy handle per message: nothing is shared between threads.
    std::unique_ptr<CURL, easy_deleter> handle(curl_easy_init());
    if (!handle) return auth_error{errc::transport_failure, "curl_easy_init failed"};
    CURL* h = handle.get();
    std::unique_ptr<curl_slist, slist_deleter> rcpt(
        curl_slist_append(nullptr, ("<" + to + ">").c_str()));
    if (!rcpt) return auth_error{errc::transport_failure, "out of memory"};

    exchange x;
    x.data = wire;
    char error_buffer[CURL_ERROR_SIZE] = {};
    const std::string url = endpoint_.curl_url();
    const std::string mail_from = "<" + from_.address + ">";
    bool ok = true;
    const auto set = [&](CURLoption opt, auto value) {
      ok = ok && curl_easy_setopt(h, opt, value) == CURLE_OK;
    };
    set(CURLOPT_ERRORBUFFER, static_cast<char*>(error_buffer));
    set(CURLOPT_URL, url.c_str());
    set(CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    set(CURLOPT_NOSIGNAL, 1L);  // no SIGALRM for DNS timeouts: required with threads
    // No proxy from the environment: the TLS decision above was made for this host, not another.
    set(CURLOPT_PROXY, "");
    set(CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options_.connect_timeout.count()));
    set(CURLOPT_TIMEOUT_MS, static_cast<long>(options_.total_timeout.count()));
    set(CURLOPT_USE_SSL, static_cast<long>(require_tls() ? CURLUSESSL_ALL : CURLUSESSL_TRY));
    set(CURLOPT_SSL_VERIFYPEER, 1L);
    set(CURLOPT_SSL_VERIFYHOST, 2L);
    if (!options_.ca_file.empty()) set(CURLOPT_CAINFO, options_.ca_file.c_str());
    if (!options_.username.empty()) {
      set(CURLOPT_USERNAME, options_.username.c_str());
      set(CURLOPT_PASSWORD, options_.password.c_str());
    }
    set(CURLOPT_MAIL_FROM, mail_from.c_str());
    set(CURLOPT_MAIL_RCPT, rcpt.get());
    set(CURLOPT_UPLOAD, 1L);
    set(CURLOPT_READFUNCTION, &on_read);
    set(CURLOPT_READDATA, static_cast<void*>(&x));
    set(CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(wire.size()));
    set(CURLOPT_HEADERFUNCTION, &on_reply_line);
    set(CURLOPT_HEADERDATA, static_cast<void*>(&x));
    if (!ok) return auth_error{errc::transport_failure, "curl rejected an option"};

    const CURLcode code = curl_easy_perform(h);
    if (code == CURLE_OK) return {};
    long reply_code = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &reply_code);
    return failure(code, reply_code, error_buffer[0] != '\0' ? error_buffer : "", x.refusal);
  }

  // failure maps curl's result to an errc. The detail has host:port, curl's message and the
  // server's refusal: curl never writes credentials into its messages, and the URL it knows
  // has none.
  auth_error failure(CURLcode code, long reply_code, std::string_view curl_message,
                     std::string_view refusal) const {
    if (curl_message.empty()) curl_message = curl_easy_strerror(code);
    while (curl_message.ends_with('.') || curl_message.ends_with('\n')) {
      curl_message.remove_suffix(1);
    }
    std::string detail = "smtp " + endpoint_.where() + ": " + std::string(curl_message);
    if (!refusal.empty()) {
      detail += "; server replied: ";
      detail += refusal;
    }
    switch (code) {
      case CURLE_COULDNT_RESOLVE_HOST:
        return auth_error{errc::dns_failure, std::move(detail)};
      case CURLE_COULDNT_CONNECT:
        return auth_error{errc::connect_failure, std::move(detail)};
      case CURLE_OPERATION_TIMEDOUT:
        return auth_error{errc::timed_out, std::move(detail)};
      case CURLE_USE_SSL_FAILED:
        detail += "; TLS is required for this host, and STARTTLS was not offered or failed";
        return auth_error{errc::tls_failure, std::move(detail)};
      case CURLE_SSL_CONNECT_ERROR:
      case CURLE_PEER_FAILED_VERIFICATION:
      case CURLE_SSL_CACERT_BADFILE:
      case CURLE_SSL_CERTPROBLEM:
      case CURLE_SSL_CIPHER:
      case CURLE_SSL_ISSUER_ERROR:
      case CURLE_SSL_ENGINE_INITFAILED:
        return auth_error{errc::tls_failure, std::move(detail)};
      case CURLE_LOGIN_DENIED:
        return auth_error{errc::mail_auth_failed, std::move(detail)};
      default:
        // A 4xx or 5xx reply to MAIL FROM, RCPT TO or the data: the server said no.
        if (reply_code >= 400 || !refusal.empty()) {
          return auth_error{errc::mail_rejected, std::move(detail)};
        }
        return auth_error{errc::transport_failure, std::move(detail)};
    }
  }

  smtp_options options_;
  smtp_endpoint endpoint_;
  mailbox from_;
};

}  // namespace

result<std::unique_ptr<sender>> smtp_sender(smtp_options options) {
  auto endpoint = parse_smtp_url(options.url);
  if (!endpoint) return endpoint.error();
  if (options.from.empty()) return config_error("email.from: missing");
  auto from = parse_mailbox(options.from);
  if (!from) return config_error("email.from: " + from.error().detail);
  const auto has_control = [](std::string_view s) {
    return std::any_of(s.begin(), s.end(),
                       [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
  };
  if (has_control(options.username)) {
    return config_error("email.username: control character");
  }
  if (options.username.empty() && !options.password.empty()) {
    return config_error("email.password: set without email.username");
  }
  if (!options.ca_file.empty() && ::access(options.ca_file.c_str(), R_OK) != 0) {
    return config_error("email.ca_file: cannot read " + options.ca_file);
  }
  if (options.connect_timeout.count() <= 0) {
    return config_error("email.connect_timeout: must be positive");
  }
  if (options.total_timeout.count() <= 0) {
    return config_error("email.total_timeout: must be positive");
  }
  return std::unique_ptr<sender>(std::make_unique<smtp_sender_impl>(
      std::move(options), std::move(*endpoint), std::move(*from)));
}

}  // namespace authpp::mail
