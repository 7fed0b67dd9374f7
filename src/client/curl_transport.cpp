#include <authpp/client/transport.hpp>

#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include <curl/curl.h>

namespace authpp::client {
namespace {

// curl_global_init is not thread-safe before 7.84 and must run once before any handle exists.
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

// exchange_state is what curl's callbacks fill in. The limits are enforced inside the callbacks
// so that an endless body stops at the limit instead of filling memory.
struct exchange_state {
  const transport_options* options;
  http_reply reply;
  std::size_t header_bytes = 0;
  bool too_large = false;
};

std::size_t on_body(char* data, std::size_t size, std::size_t count, void* user) {
  auto* s = static_cast<exchange_state*>(user);
  const std::size_t n = size * count;
  if (s->reply.body.size() + n > s->options->max_response_bytes) {
    s->too_large = true;
    return 0;  // makes curl stop with CURLE_WRITE_ERROR
  }
  s->reply.body.append(data, n);
  return n;
}

std::string_view trim(std::string_view v) {
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  while (!v.empty() &&
         (v.back() == ' ' || v.back() == '\t' || v.back() == '\r' || v.back() == '\n')) {
    v.remove_suffix(1);
  }
  return v;
}

std::size_t on_header(char* data, std::size_t size, std::size_t count, void* user) {
  auto* s = static_cast<exchange_state*>(user);
  const std::size_t n = size * count;
  s->header_bytes += n;
  if (s->header_bytes > s->options->max_header_bytes) {
    s->too_large = true;
    return 0;
  }
  const std::string_view line(data, n);
  if (line.starts_with("HTTP/")) {
    // A new status line (after a 100 Continue, say) starts a new header block.
    s->reply.headers = {};
    return n;
  }
  const std::size_t colon = line.find(':');
  if (colon != std::string_view::npos && colon > 0) {
    s->reply.headers.add(std::string(trim(line.substr(0, colon))),
                         std::string(trim(line.substr(colon + 1))));
  }
  return n;
}

class curl_transport final : public transport {
 public:
  explicit curl_transport(transport_options options) : options_(std::move(options)) {}

  result<http_reply> send(const http_call& call) override {
    if (auto ok = init_curl_once(); !ok) return ok.error();
    // One easy handle per call: nothing is shared between threads.
    std::unique_ptr<CURL, easy_deleter> handle(curl_easy_init());
    if (!handle) return auth_error{errc::transport_failure, "curl_easy_init failed"};
    CURL* h = handle.get();

    exchange_state state{&options_, {}, 0, false};
    curl_slist* raw_list = nullptr;
    for (const auto& f : call.headers) {
      raw_list = curl_slist_append(raw_list, (f.name + ": " + f.value).c_str());
    }
    // curl would otherwise add `Expect: 100-continue` to larger POSTs, and an Accept header.
    raw_list = curl_slist_append(raw_list, "Expect:");
    std::unique_ptr<curl_slist, slist_deleter> header_list(raw_list);
    if (!header_list) return auth_error{errc::transport_failure, "out of memory"};

    char error_buffer[CURL_ERROR_SIZE] = {};
    bool ok = true;
    const auto set = [&](CURLoption opt, auto value) {
      ok = ok && curl_easy_setopt(h, opt, value) == CURLE_OK;
    };
    set(CURLOPT_ERRORBUFFER, static_cast<char*>(error_buffer));
    set(CURLOPT_URL, call.url.c_str());
    set(CURLOPT_PROTOCOLS_STR, "http,https");
    set(CURLOPT_NOSIGNAL, 1L);  // no SIGALRM for DNS timeouts: required with threads
    set(CURLOPT_FOLLOWLOCATION, 0L);
    set(CURLOPT_TIMEOUT_MS, static_cast<long>(options_.timeout.count()));
    set(CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options_.connect_timeout.count()));
    set(CURLOPT_SSL_VERIFYPEER, options_.verify_tls ? 1L : 0L);
    set(CURLOPT_SSL_VERIFYHOST, options_.verify_tls ? 2L : 0L);
    if (options_.ca_file) set(CURLOPT_CAINFO, options_.ca_file->c_str());
    if (options_.proxy) set(CURLOPT_PROXY, options_.proxy->c_str());
    set(CURLOPT_USERAGENT, options_.user_agent.c_str());
    set(CURLOPT_HTTPHEADER, header_list.get());
    set(CURLOPT_WRITEFUNCTION, &on_body);
    set(CURLOPT_WRITEDATA, static_cast<void*>(&state));
    set(CURLOPT_HEADERFUNCTION, &on_header);
    set(CURLOPT_HEADERDATA, static_cast<void*>(&state));
    // A declared Content-Length above the limit fails before any byte of the body is read.
    set(CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(options_.max_response_bytes));
    if (call.method == "GET") {
      set(CURLOPT_HTTPGET, 1L);
    } else {
      set(CURLOPT_CUSTOMREQUEST, call.method.c_str());
      if (!call.body.empty() || call.method == "POST") {
        set(CURLOPT_POSTFIELDS, call.body.data());
        set(CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(call.body.size()));
      }
    }
    if (!ok) return auth_error{errc::transport_failure, "curl rejected an option"};

    const CURLcode code = curl_easy_perform(h);
    if (state.too_large || code == CURLE_FILESIZE_EXCEEDED) {
      return auth_error{errc::response_too_large,
                        "response from " + call.url + " exceeds the configured limit"};
    }
    if (code != CURLE_OK) {
      std::string message = error_buffer[0] != '\0' ? error_buffer : curl_easy_strerror(code);
      return auth_error{errc::transport_failure, call.method + " " + call.url + ": " + message};
    }
    long status = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    state.reply.status = static_cast<int>(status);
    return std::move(state.reply);
  }

 private:
  transport_options options_;
};

}  // namespace

std::shared_ptr<transport> make_curl_transport(transport_options options) {
  return std::make_shared<curl_transport>(std::move(options));
}

}  // namespace authpp::client
