#include <authpp/auth/config.hpp>
#include <authpp/http/cookie.hpp>
#include <authpp/http/message.hpp>
#include <authpp/http/url.hpp>
#include <authpp/mfa/totp.hpp>
#include <authpp/pages/pages.hpp>
#include <authpp/providers/presets.hpp>
#include <authpp/redis/counter_store.hpp>
#include <authpp/server/config.hpp>
#include <authpp/server/trusted_proxies.hpp>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <initializer_list>
#include <limits>

#include <arpa/inet.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <toml++/toml.h>
#include <unistd.h>

extern char** environ;  // NOLINT: POSIX declares it nowhere in a header

namespace authpp::server {
namespace {

// A configuration file larger than this is certainly a mistake (a database or a log given to
// --config); refusing it keeps the parser's input bounded.
constexpr std::size_t max_config_bytes = 1024 * 1024;

std::string errno_text(int e) { return std::strerror(e); }

// read_file reads a whole file with POSIX calls so that a failure can name the exact cause.
result<std::string> read_file(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return auth_error{errc::invalid_config, "cannot read " + path + ": " + errno_text(errno)};
  }
  std::string data;
  char buf[8192];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int e = errno;
      ::close(fd);
      return auth_error{errc::invalid_config, "cannot read " + path + ": " + errno_text(e)};
    }
    if (n == 0) break;
    data.append(buf, static_cast<std::size_t>(n));
    if (data.size() > max_config_bytes) {
      ::close(fd);
      return auth_error{errc::invalid_config, "cannot read " + path + ": larger than 1 MiB"};
    }
  }
  ::close(fd);
  return data;
}

std::string_view type_name(toml::node_type t) {
  switch (t) {
    case toml::node_type::table:
      return "a table";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a float";
    case toml::node_type::boolean:
      return "a boolean";
    case toml::node_type::date:
      return "a date";
    case toml::node_type::time:
      return "a time";
    case toml::node_type::date_time:
      return "a date-time";
    case toml::node_type::none:
      break;
  }
  return "nothing";
}

// problem is one configuration error; the one earliest in the file is reported, so that fixing
// errors top to bottom works. Errors without a line (environment, flags, missing values) sort
// after those with one.
struct problem {
  std::uint32_t line;
  std::string message;
};

// one_line escapes the control characters of a message (a key or value quoted from the file may
// hold a line break), so that an error stays the one line an operator and a log expect.
std::string one_line(std::string_view text) {
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (u < 0x20 || u == 0x7f) {
      out += "\\x";
      out += hex[u >> 4];
      out += hex[u & 0xf];
    } else {
      out += c;
    }
  }
  return out;
}

// loader walks the parsed TOML document, table by table, against the known layout.
class loader {
 public:
  explicit loader(std::string file) : file_(std::move(file)) {}

  void fail(const toml::source_region& where, std::string_view key, std::string_view what) {
    std::string m = file_;
    const std::uint32_t line = where.begin.line;
    if (line != 0) m += ":" + std::to_string(line);
    m += ": ";
    m += key;
    m += ": ";
    m += what;
    problems_.push_back(
        {line == 0 ? std::numeric_limits<std::uint32_t>::max() : line, one_line(m)});
  }
  // fail_unplaced records an error that has no place in the file (a flag, the environment, or a
  // value that is missing altogether).
  void fail_unplaced(std::string message) {
    problems_.push_back({std::numeric_limits<std::uint32_t>::max(), one_line(message)});
  }

  std::optional<std::string> first() const {
    if (problems_.empty()) return std::nullopt;
    // stable: among equal lines, the order of discovery (and so of the layout) decides.
    const auto it =
        std::min_element(problems_.begin(), problems_.end(),
                         [](const problem& a, const problem& b) { return a.line < b.line; });
    return it->message;
  }

  // check_keys refuses every key of `t` outside `allowed`: a misspelt key is silently ignored by
  // most servers, and then the setting the operator meant is not the one in force.
  void check_keys(const toml::table& t, std::string_view prefix,
                  std::initializer_list<std::string_view> allowed) {
    for (auto&& [k, v] : t) {
      if (std::find(allowed.begin(), allowed.end(), k.str()) != allowed.end()) continue;
      const auto& where = k.source().begin.line != 0 ? k.source() : v.source();
      fail(where, join(prefix, k.str()), v.is_table() ? "unknown table" : "unknown key");
    }
  }

  // table returns the sub-table `key` of `t`, or nullptr when absent or of another type.
  const toml::table* table(const toml::table& t, std::string_view prefix, std::string_view key) {
    const toml::node* n = t.get(key);
    if (n == nullptr) return nullptr;
    if (!n->is_table()) {
      wrong_type(*n, join(prefix, key), "a table");
      return nullptr;
    }
    return n->as_table();
  }

  // string reads `key` into `out` when present; it returns the node for later checks.
  const toml::node* string(const toml::table& t, std::string_view prefix, std::string_view key,
                           std::string& out) {
    const toml::node* n = t.get(key);
    if (n == nullptr) return nullptr;
    if (!n->is_string()) {
      wrong_type(*n, join(prefix, key), "a string");
      return nullptr;
    }
    const std::string& s = n->as_string()->get();
    // Values become paths, URLs and header text: a NUL would silently cut them short.
    if (s.find('\0') != std::string::npos) {
      fail(n->source(), join(prefix, key), "must not contain a NUL character");
      return nullptr;
    }
    out = s;
    return n;
  }

  void boolean(const toml::table& t, std::string_view prefix, std::string_view key, bool& out) {
    const toml::node* n = t.get(key);
    if (n == nullptr) return;
    if (!n->is_boolean()) {
      wrong_type(*n, join(prefix, key), "a boolean (true or false)");
      return;
    }
    out = n->as_boolean()->get();
  }

  // integer reads `key` into `out` when present and within [min, max].
  template <class T>
  bool integer(const toml::table& t, std::string_view prefix, std::string_view key,
               std::int64_t min, std::int64_t max, T& out) {
    const toml::node* n = t.get(key);
    if (n == nullptr) return false;
    const std::string range = "an integer in " + std::to_string(min) + ".." + std::to_string(max);
    if (!n->is_integer()) {
      wrong_type(*n, join(prefix, key), range);
      return false;
    }
    const std::int64_t v = n->as_integer()->get();
    if (v < min || v > max) {
      fail(n->source(), join(prefix, key), "expected " + range + ", got " + std::to_string(v));
      return false;
    }
    out = static_cast<T>(v);
    return true;
  }

  // duration reads a whole number of `Unit`s (seconds, milliseconds) from `min` to `max`.
  template <class Unit>
  bool duration(const toml::table& t, std::string_view prefix, std::string_view key,
                std::int64_t min, std::int64_t max, Unit& out) {
    std::int64_t v = 0;
    if (!integer(t, prefix, key, min, max, v)) return false;
    out = Unit(v);
    return true;
  }
  // seconds reads a duration in whole seconds, from `min` (1 unless said) to `max`.
  bool seconds(const toml::table& t, std::string_view prefix, std::string_view key,
               std::int64_t max, std::chrono::seconds& out, std::int64_t min = 1) {
    return duration(t, prefix, key, min, max, out);
  }

  // strings reads an array of strings; absent leaves `out` untouched.
  void strings(const toml::table& t, std::string_view prefix, std::string_view key,
               std::vector<std::string>& out) {
    const toml::node* n = t.get(key);
    if (n == nullptr) return;
    const std::string name = join(prefix, key);
    if (!n->is_array()) {
      wrong_type(*n, name, "an array of strings");
      return;
    }
    std::vector<std::string> values;
    for (const toml::node& e : *n->as_array()) {
      if (!e.is_string()) {
        const auto& where = e.source().begin.line != 0 ? e.source() : n->source();
        fail(where, name,
             "expected an array of strings, found " + std::string(type_name(e.type())));
        return;
      }
      values.push_back(e.as_string()->get());
    }
    out = std::move(values);
  }

  static std::string join(std::string_view prefix, std::string_view key) {
    std::string s(prefix);
    if (!s.empty()) s += '.';
    s += key;
    return s;
  }

 private:
  void wrong_type(const toml::node& n, const std::string& name, std::string_view expected) {
    fail(n.source(), name,
         "expected " + std::string(expected) + ", found " + std::string(type_name(n.type())));
  }

  std::string file_;
  std::vector<problem> problems_;
};

std::optional<std::string> unreadable(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return "cannot read " + path + ": " + errno_text(errno);
  struct stat st {};
  const bool regular = ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
  ::close(fd);
  if (!regular) return "cannot read " + path + ": not a regular file";
  return std::nullopt;
}

void load_server(loader& l, const toml::table& t, server_options& s) {
  constexpr std::string_view p = "server";
  l.check_keys(t, p,
               {"listen", "threads", "max_header_bytes", "max_body_bytes", "max_connections",
                "max_connections_per_client", "worker_threads", "worker_queue", "trusted_proxies",
                "read_timeout", "idle_timeout", "shutdown_timeout", "tls"});
  std::string listen;
  if (const toml::node* n = l.string(t, p, "listen", listen)) {
    auto hp = parse_listen(listen);
    if (hp) {
      s.host = hp->first;
      s.port = hp->second;
    } else {
      l.fail(n->source(), "server.listen", hp.error().detail);
    }
  }
  l.integer(t, p, "threads", 0, 1024, s.threads);
  l.integer(t, p, "max_header_bytes", 1, 1024 * 1024, s.max_header_bytes);
  l.integer(t, p, "max_body_bytes", 1, std::int64_t{1} << 30, s.max_body_bytes);
  l.integer(t, p, "max_connections", 1, 1000000, s.max_connections);
  l.integer(t, p, "max_connections_per_client", 0, 1000000, s.max_connections_per_client);
  l.integer(t, p, "worker_threads", 0, 1024, s.worker_threads);
  l.integer(t, p, "worker_queue", 0, 1000000, s.worker_queue);
  l.strings(t, p, "trusted_proxies", s.trusted_proxies);
  if (const toml::node* n = t.get("trusted_proxies"); n != nullptr && n->is_array()) {
    if (auto parsed = trusted_proxies::parse(s.trusted_proxies); !parsed) {
      l.fail(n->source(), "server.trusted_proxies", parsed.error().detail);
    }
  }
  constexpr std::int64_t day = 86400;
  l.seconds(t, p, "read_timeout", day, s.read_timeout);
  l.seconds(t, p, "idle_timeout", day, s.idle_timeout);
  l.seconds(t, p, "shutdown_timeout", day, s.shutdown_timeout);

  const toml::table* tls = l.table(t, p, "tls");
  if (tls == nullptr) return;
  constexpr std::string_view tp = "server.tls";
  l.check_keys(*tls, tp, {"certificate", "private_key"});
  tls_options o;
  const toml::node* cert = l.string(*tls, tp, "certificate", o.certificate_file);
  const toml::node* key = l.string(*tls, tp, "private_key", o.private_key_file);
  if (tls->get("certificate") == nullptr || tls->get("private_key") == nullptr) {
    l.fail(tls->source(), tp, "certificate and private_key are both required");
    return;
  }
  if (cert == nullptr || key == nullptr) return;  // wrong type, already reported
  if (auto e = unreadable(o.certificate_file)) l.fail(cert->source(), "server.tls.certificate", *e);
  if (auto e = unreadable(o.private_key_file)) l.fail(key->source(), "server.tls.private_key", *e);
  s.tls = std::move(o);
}

void load_theme(loader& l, const toml::table& t, pages::theme& th) {
  constexpr std::string_view p = "auth.theme";
  l.check_keys(t, p, {"color_scheme", "brand_color", "logo", "button_text"});
  if (const toml::node* n = l.string(t, p, "color_scheme", th.color_scheme)) {
    if (th.color_scheme != "auto" && th.color_scheme != "light" && th.color_scheme != "dark") {
      l.fail(n->source(), "auth.theme.color_scheme", "expected \"auto\", \"light\" or \"dark\"");
    }
  }
  for (auto [key, out] :
       {std::pair{"brand_color", &th.brand_color}, std::pair{"button_text", &th.button_text}}) {
    if (const toml::node* n = l.string(t, p, key, *out)) {
      if (!out->empty() && !pages::is_css_color(*out)) {
        l.fail(n->source(), loader::join(p, key),
               "expected #rgb, #rgba, #rrggbb, #rrggbbaa or a colour name in lower case");
      }
    }
  }
  if (const toml::node* n = l.string(t, p, "logo", th.logo)) {
    if (!th.logo.empty()) {
      auto u = http::parse_absolute_url(th.logo);
      if (!u || u->scheme != "https") {
        l.fail(n->source(), "auth.theme.logo", "expected an absolute https URL");
      }
    }
  }
}

// check_host_patterns refuses the first entry of `key` that names no host.
void check_host_patterns(loader& l, const toml::table& t, std::string_view key,
                         const std::vector<std::string>& patterns, std::string_view name) {
  const toml::node* n = t.get(key);
  if (n == nullptr || !n->is_array()) return;
  for (const std::string& pattern : patterns) {
    if (auto problem = http::host_pattern_problem(pattern)) {
      l.fail(n->source(), name, *problem);
      return;
    }
  }
}

// url_problem says why `text` cannot be AUTH_URL / auth.url, or nullopt when it can.
std::optional<std::string> url_problem(const std::string& text) {
  auto u = http::parse_absolute_url(text);
  if (!u) return "expected an absolute http(s) URL, e.g. https://example.com";
  if (!u->query.empty()) return "must not have a query";
  return std::nullopt;
}

void load_auth(loader& l, const toml::table& t, authpp::auth_config& a) {
  constexpr std::string_view p = "auth";
  l.check_keys(t, p,
               {"url", "trust_host", "base_path", "secrets", "session_max_age", "session_strategy",
                "session_update_age", "jwt_revocation_bound", "session_cookie_domain",
                "redirect_hosts", "theme"});
  std::string url;
  if (const toml::node* n = l.string(t, p, "url", url)) {
    if (auto e = url_problem(url)) l.fail(n->source(), "auth.url", *e);
    a.url = url;
  }
  l.boolean(t, p, "trust_host", a.trust_host);
  if (const toml::node* n = l.string(t, p, "base_path", a.base_path)) {
    if (auto problem = base_path_problem(a.base_path)) {
      l.fail(n->source(), "auth.base_path", *problem);
    }
  }
  l.strings(t, p, "secrets", a.secrets);
  if (const toml::node* n = t.get("secrets"); n != nullptr && n->is_array()) {
    for (const std::string& s : a.secrets) {
      if (s.empty()) {
        l.fail(n->source(), "auth.secrets", "a secret must not be empty");
        break;
      }
    }
  }
  // Auth.js has no upper bound; ten years stops an overflow when it is added to "now".
  l.seconds(t, p, "session_max_age", 10LL * 366 * 86400, a.session.max_age);
  std::string strategy;
  if (const toml::node* n = l.string(t, p, "session_strategy", strategy)) {
    if (strategy != "jwt" && strategy != "database") {
      l.fail(n->source(), "auth.session_strategy", "expected \"jwt\" or \"database\"");
    }
    a.session.strategy =
        strategy == "database" ? session_strategy::database : session_strategy::jwt;
  }
  // 0 is allowed, as in Auth.js: the row slides on every read.
  l.seconds(t, p, "session_update_age", 10LL * 366 * 86400, a.session.update_age, 0);
  // Seconds (0: every read), or false: JWT sessions are never checked, as in Auth.js.
  if (const toml::node* n = t.get("jwt_revocation_bound"); n != nullptr && n->is_boolean()) {
    if (n->as_boolean()->get()) {
      l.fail(n->source(), "auth.jwt_revocation_bound", "expected seconds, or false for never");
    } else {
      a.session.jwt_revocation_bound.reset();
    }
  } else {
    std::chrono::seconds bound{};
    if (l.seconds(t, p, "jwt_revocation_bound", 86400, bound, 0))
      a.session.jwt_revocation_bound = bound;
  }
  l.strings(t, p, "redirect_hosts", a.redirect_hosts);
  check_host_patterns(l, t, "redirect_hosts", a.redirect_hosts, "auth.redirect_hosts");
  std::string domain;
  if (const toml::node* n = l.string(t, p, "session_cookie_domain", domain)) {
    if (auto problem = http::cookie_domain_problem(domain)) {
      l.fail(n->source(), "auth.session_cookie_domain", *problem);
    }
    a.session_cookie_domain = domain;
  }
  if (const toml::table* theme = l.table(t, p, "theme")) load_theme(l, *theme, a.theme);
}

void load_provider(loader& l, const toml::table& t, std::string_view p, provider_settings& out) {
  l.check_keys(
      t, p,
      {"type", "id", "name", "issuer", "client_id", "client_secret", "scope", "checks",
       "authorization_endpoint", "token_endpoint", "userinfo_endpoint", "authorization_params"});
  const toml::node* type = l.string(t, p, "type", out.type);
  if (!type) {
    if (!t.get("type"))
      l.fail(t.source(), loader::join(p, "type"), "required: " + providers::preset_names());
  } else if (!providers::is_preset(out.type)) {
    l.fail(type->source(), loader::join(p, "type"),
           "unknown type \"" + out.type + "\"; expected " + providers::preset_names());
  }
  if (const toml::node* n = l.string(t, p, "id", out.id)) {
    if (out.id.empty() ||
        out.id.find_first_not_of("abcdefghijklmnopqrstuvwxyz"
                                 "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") != std::string::npos) {
      l.fail(n->source(), loader::join(p, "id"), "expected letters, digits, '-' or '_'");
    }
  }
  if (out.id.empty()) out.id = out.type;
  l.string(t, p, "name", out.name);
  for (const auto& [key, into] : {std::pair<std::string_view, std::string*>{"issuer", &out.issuer},
                                  {"authorization_endpoint", &out.authorization_endpoint},
                                  {"token_endpoint", &out.token_endpoint},
                                  {"userinfo_endpoint", &out.userinfo_endpoint}}) {
    if (const toml::node* n = l.string(t, p, key, *into)) {
      if (!http::parse_absolute_url(*into)) {
        l.fail(n->source(), loader::join(p, key), "expected an absolute http(s) URL");
      }
    }
  }
  l.string(t, p, "client_id", out.client_id);
  l.string(t, p, "client_secret", out.client_secret);
  l.string(t, p, "scope", out.scope);
  if (t.get("checks")) {
    std::vector<std::string> checks;
    l.strings(t, p, "checks", checks);
    for (const auto& c : checks) {
      if (c != "pkce" && c != "state" && c != "nonce") {
        l.fail(t.get("checks")->source(), loader::join(p, "checks"),
               "unknown check \"" + c + "\"; expected pkce, state or nonce");
      }
    }
    out.checks = std::move(checks);
  }
  if (const toml::table* params = l.table(t, p, "authorization_params")) {
    const std::string prefix = loader::join(p, "authorization_params");
    // toml++ keeps a table's keys sorted; the URL gets them in the order the file wrote them.
    std::vector<std::pair<toml::source_position, std::string>> keys;
    for (auto&& [k, v] : *params) keys.emplace_back(k.source().begin, std::string(k.str()));
    std::sort(keys.begin(), keys.end(), [](const auto& a, const auto& b) {
      return std::pair(a.first.line, a.first.column) < std::pair(b.first.line, b.first.column);
    });
    for (const auto& [where, key] : keys) {
      std::string value;
      if (l.string(*params, prefix, key, value)) {
        out.authorization_params.emplace_back(key, std::move(value));
      }
    }
  }
}

void load_providers(loader& l, const toml::node& n, std::vector<provider_settings>& out) {
  if (!n.is_array_of_tables()) {
    l.fail(n.source(), "providers", "expected [[providers]] tables");
    return;
  }
  std::size_t i = 0;
  for (const toml::node& e : *n.as_array()) {
    const std::string p = "providers[" + std::to_string(i++) + "]";
    provider_settings settings;
    load_provider(l, *e.as_table(), p, settings);
    for (const auto& other : out) {
      if (other.id == settings.id) {
        l.fail(e.source(), p + ".id", "duplicate provider id \"" + settings.id + "\"");
      }
    }
    out.push_back(std::move(settings));
  }
}

std::string env_value(const environment& env, std::string_view name) {
  const auto it = env.find(name);
  return it == env.end() ? std::string() : it->second;
}

// provider_env fills in a provider from Auth.js's AUTH_<ID>_ID / _SECRET / _ISSUER when its table
// names no secret (so the secret can stay out of the file).
void provider_env(const environment& env, provider_settings& p) {
  if (!p.client_secret.empty()) return;
  std::string id = p.id;
  for (char& c : id) {
    c = c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  if (auto v = env_value(env, "AUTH_" + id + "_ID"); !v.empty()) p.client_id = v;
  if (auto v = env_value(env, "AUTH_" + id + "_SECRET"); !v.empty()) p.client_secret = v;
  if (auto v = env_value(env, "AUTH_" + id + "_ISSUER"); !v.empty()) p.issuer = v;
}

void load_storage(loader& l, const toml::table& t, storage_options& s) {
  constexpr std::string_view p = "storage";
  l.check_keys(t, p, {"data_dir", "database", "purge_interval"});
  if (const toml::node* n = l.string(t, p, "data_dir", s.data_dir); n && s.data_dir.empty()) {
    l.fail(n->source(), "storage.data_dir", "must not be empty");
  }
  if (const toml::node* n = l.string(t, p, "database", s.database); n && s.database.empty()) {
    l.fail(n->source(), "storage.database", "must not be empty (omit it for the default)");
  }
  l.seconds(t, p, "purge_interval", 7 * 86400, s.purge_interval, 0);
}

// is_postgres_url: the url forms `--database` takes for PostgreSQL rather than a SQLite path.
bool is_postgres_url(std::string_view v) {
  return v.starts_with("postgres://") || v.starts_with("postgresql://");
}

void load_database(loader& l, const toml::table& t, database_options& d) {
  constexpr std::string_view p = "database";
  l.check_keys(t, p,
               {"url", "pool_size", "statement_timeout_ms", "pool_wait_ms", "connect_timeout_ms"});
  if (const toml::node* n = l.string(t, p, "url", d.url); n && d.url.empty()) {
    l.fail(n->source(), "database.url", "must not be empty (omit [database] for SQLite)");
  }
  l.integer(t, p, "pool_size", 1, 1000, d.pool_size);
  l.duration(t, p, "statement_timeout_ms", 10, 3'600'000, d.statement_timeout);
  l.duration(t, p, "pool_wait_ms", 0, 600'000, d.pool_wait);
  l.duration(t, p, "connect_timeout_ms", 1000, 600'000, d.connect_timeout);
}

void load_rate_limit(loader& l, const toml::table& t, rate_limit_settings& o) {
  constexpr std::string_view p = "rate_limit";
  l.check_keys(t, p, {"enabled", "posts_per_minute", "free_failures", "max_backoff", "redis_url"});
  l.boolean(t, p, "enabled", o.enabled);
  l.integer(t, p, "posts_per_minute", 1, 1000000, o.posts_per_minute);
  l.integer(t, p, "free_failures", 0, 1000, o.free_failures);
  l.seconds(t, p, "max_backoff", 86400, o.max_backoff);
  if (const toml::node* n = l.string(t, p, "redis_url", o.redis_url)) {
    if (auto parsed = redis::parse_redis_url(o.redis_url, ""); !parsed) {
      l.fail(n->source(), "rate_limit.redis_url", parsed.error().detail);
    }
  }
}

// totp_algorithm_named maps the names otpauth URIs use (upper case) onto the algorithm.
std::optional<mfa::totp_algorithm> totp_algorithm_named(std::string_view name) {
  if (name == "SHA1") return mfa::totp_algorithm::sha1;
  if (name == "SHA256") return mfa::totp_algorithm::sha256;
  if (name == "SHA512") return mfa::totp_algorithm::sha512;
  return std::nullopt;
}

bool has_control_character(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u < 0x20 || u == 0x7f;
  });
}

void load_totp(loader& l, const toml::table& t, authpp::totp_options& o) {
  constexpr std::string_view p = "totp";
  l.check_keys(t, p, {"enabled", "issuer", "digits", "period", "window", "algorithm"});
  l.boolean(t, p, "enabled", o.enabled);
  // The issuer is shown by authenticator apps and goes into every otpauth:// URI.
  if (const toml::node* n = l.string(t, p, "issuer", o.issuer)) {
    if (o.issuer.empty()) l.fail(n->source(), "totp.issuer", "must not be empty");
    if (has_control_character(o.issuer)) {
      l.fail(n->source(), "totp.issuer", "must not contain control characters");
    }
  }
  // The bounds are mfa::check_totp_params's, which the engine applies again at start.
  l.integer(t, p, "digits", 6, 8, o.params.digits);
  l.seconds(t, p, "period", 86400, o.params.period);
  l.integer(t, p, "window", 0, 10, o.params.window);
  std::string algorithm;
  if (const toml::node* n = l.string(t, p, "algorithm", algorithm)) {
    if (auto named = totp_algorithm_named(algorithm)) {
      o.params.algorithm = *named;
    } else {
      l.fail(n->source(), "totp.algorithm", "expected \"SHA1\", \"SHA256\" or \"SHA512\"");
    }
  }
}

void load_passkey(loader& l, const toml::table& t, passkey_settings& o) {
  constexpr std::string_view p = "passkey";
  l.check_keys(
      t, p,
      {"enabled", "name", "rp_id", "rp_name", "origins", "user_verification", "allow_sign_up"});
  bool enabled = false;
  if (t.contains("enabled")) {
    l.boolean(t, p, "enabled", enabled);
    o.enabled = enabled;
  }
  passkey_provider& provider = o.provider;
  if (const toml::node* n = l.string(t, p, "name", provider.name)) {
    if (provider.name.empty() || has_control_character(provider.name)) {
      l.fail(n->source(), "passkey.name", "must be a non-empty line of text");
    }
  }
  if (const toml::node* n = l.string(t, p, "rp_id", provider.rp_id)) {
    if (http::host_pattern_problem(provider.rp_id) || provider.rp_id.starts_with("*.")) {
      l.fail(n->source(), "passkey.rp_id", "expected a host name, like example.com");
    }
  }
  if (const toml::node* n = l.string(t, p, "rp_name", provider.rp_name)) {
    if (has_control_character(provider.rp_name)) {
      l.fail(n->source(), "passkey.rp_name", "must not contain control characters");
    }
  }
  l.strings(t, p, "origins", provider.origins);
  for (const std::string& origin : provider.origins) {
    auto url = http::parse_absolute_url(origin);
    if (!url || url->origin() != origin) {
      l.fail(t.source(), "passkey.origins",
             "\"" + origin + "\" is not an origin, like https://example.com");
    }
  }
  l.boolean(t, p, "user_verification", provider.user_verification);
  l.boolean(t, p, "allow_sign_up", provider.allow_sign_up);
}

void load_account(loader& l, const toml::table& t, account_settings& o) {
  constexpr std::string_view p = "account";
  l.check_keys(t, p, {"enabled", "recent_sign_in"});
  if (t.contains("enabled")) {
    bool enabled = false;
    l.boolean(t, p, "enabled", enabled);
    o.enabled = enabled;
  }
  // At least a minute (a sign-in takes that long), at most a day.
  l.seconds(t, p, "recent_sign_in", 86400, o.recent_sign_in, 60);
}

void load_email(loader& l, const toml::table& t, email_settings& o) {
  constexpr std::string_view p = "email";
  l.check_keys(t, p,
               {"transport", "file", "smtp_url", "from", "username", "password", "allow_plaintext",
                "ca_file", "max_age", "sends_per_hour"});
  const toml::node* transport = l.string(t, p, "transport", o.transport);
  if (transport && o.transport != "smtp" && o.transport != "file") {
    l.fail(transport->source(), "email.transport", "expected \"smtp\" or \"file\"");
  }
  l.string(t, p, "file", o.file);
  const toml::node* url = l.string(t, p, "smtp_url", o.smtp_url);
  l.string(t, p, "from", o.from);
  l.string(t, p, "username", o.username);
  l.string(t, p, "password", o.password);
  l.boolean(t, p, "allow_plaintext", o.allow_plaintext);
  l.string(t, p, "ca_file", o.ca_file);
  l.seconds(t, p, "max_age", 30 * 86400, o.max_age);
  l.integer(t, p, "sends_per_hour", 0, 1000000, o.sends_per_hour);
  if (o.transport == "smtp") {
    if (o.smtp_url.empty()) {
      l.fail(transport->source(), "email.smtp_url", "required with transport = \"smtp\"");
    } else if (!o.smtp_url.starts_with("smtp://") && !o.smtp_url.starts_with("smtps://")) {
      l.fail(url->source(), "email.smtp_url", "expected smtp://host[:port] or smtps://host[:port]");
    }
    if (o.from.empty())
      l.fail(transport->source(), "email.from", "required with transport = \"smtp\"");
  }
}

void load_metrics(loader& l, const toml::table& t, metrics_options& o) {
  constexpr std::string_view p = "metrics";
  l.check_keys(t, p, {"listen", "token"});
  std::string listen;
  if (const toml::node* n = l.string(t, p, "listen", listen)) {
    if (auto hp = parse_listen(listen); !hp) {
      l.fail(n->source(), "metrics.listen", hp.error().detail);
    } else {
      o.listen = listen;
    }
  }
  if (const toml::node* n = l.string(t, p, "token", o.token); n && o.token.size() < 16) {
    l.fail(n->source(), "metrics.token", "must be at least 16 characters");
  }
}

void load_forward_auth(loader& l, const toml::table& t, forward_auth_options& o) {
  constexpr std::string_view p = "forward_auth";
  l.check_keys(t, p,
               {"enabled", "allowed_hosts", "emails", "email_domains", "public_paths", "groups"});
  l.boolean(t, p, "enabled", o.enabled);
  l.strings(t, p, "allowed_hosts", o.allowed_hosts);
  l.strings(t, p, "emails", o.emails);
  l.strings(t, p, "email_domains", o.email_domains);
  check_host_patterns(l, t, "allowed_hosts", o.allowed_hosts, "forward_auth.allowed_hosts");
  l.strings(t, p, "public_paths", o.public_paths);
  for (const std::string& path : o.public_paths) {
    const std::string_view stem =
        path.ends_with("/*") ? std::string_view(path).substr(0, path.size() - 1) : path;
    if (!stem.starts_with("/") || stem.find_first_of("*?#\\ ") != std::string_view::npos) {
      l.fail(t.get("public_paths")->source(), "forward_auth.public_paths",
             "expected paths like \"/healthz\" or \"/static/*\", got \"" + path + "\"");
      break;
    }
  }
  if (const toml::table* groups = l.table(t, p, "groups")) {
    for (const auto& [name, members] : *groups) {
      const std::string key = "forward_auth.groups." + std::string(name.str());
      auto& list = o.groups[std::string(name.str())];
      l.strings(*groups, "forward_auth.groups", name.str(), list);
      if (!members.is_array()) continue;  // strings() reported it
      for (const std::string& member : list) {
        if (member.find('@') == std::string::npos ||
            member.find_first_of(" ,;") != std::string::npos) {
          l.fail(members.source(), key,
                 "expected addresses like \"ada@example.com\" or domains like \"@example.com\", "
                 "got \"" +
                     member + "\"");
          break;
        }
      }
    }
  }
}

void load_log(loader& l, const toml::table& t, log_options& o) {
  constexpr std::string_view p = "log";
  l.check_keys(t, p, {"level", "access_log"});
  if (const toml::node* n = l.string(t, p, "level", o.level)) {
    if (o.level != "debug" && o.level != "info" && o.level != "warn" && o.level != "error") {
      l.fail(n->source(), "log.level", "expected \"debug\", \"info\", \"warn\" or \"error\"");
    }
  }
  l.boolean(t, p, "access_log", o.access_log);
}

}  // namespace

environment current_environment() {
  environment env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    const std::string_view entry(*e);
    const std::size_t eq = entry.find('=');
    if (eq == std::string_view::npos) continue;
    // The first definition wins, as getenv() returns it.
    env.emplace(std::string(entry.substr(0, eq)), std::string(entry.substr(eq + 1)));
  }
  return env;
}

authpp::auth_config server_auth_defaults() {
  authpp::auth_config c;
  c.session.jwt_revocation_bound = std::chrono::seconds{60};
  return c;
}

std::optional<std::string> secret_weakness(std::string_view secret) {
  constexpr std::size_t min_length = 32;
  constexpr double min_bits = 80;
  if (secret.size() < min_length) {
    return std::to_string(secret.size()) + " characters, fewer than " + std::to_string(min_length);
  }
  // "abcabcabc…", "passwordpassword…": a text that is a shorter one repeated.
  for (std::size_t period = 1; period <= secret.size() / 2; ++period) {
    if (secret.substr(period) == secret.substr(0, secret.size() - period)) {
      return "it repeats a text of " + std::to_string(period) + " characters";
    }
  }
  // Shannon's estimate from character frequencies: low for few distinct characters, and for
  // words (a random base64url secret of 43 characters measures about 200 bits).
  std::array<std::size_t, 256> counts{};
  for (const char c : secret) ++counts[static_cast<unsigned char>(c)];
  double bits = 0;
  const auto n = static_cast<double>(secret.size());
  for (const std::size_t k : counts) {
    if (k != 0) bits -= static_cast<double>(k) * std::log2(static_cast<double>(k) / n);
  }
  if (bits < min_bits) {
    return "about " + std::to_string(static_cast<int>(bits)) + " bits of entropy, under " +
           std::to_string(static_cast<int>(min_bits));
  }
  return std::nullopt;
}

result<std::vector<std::string>> check_secrets(const app_config& config) {
  std::vector<std::string> warnings;
  const auto& secrets = config.auth.secrets;
  for (std::size_t i = 0; i < secrets.size(); ++i) {
    const auto why = secret_weakness(secrets[i]);
    if (!why) continue;
    std::string message = "auth.secrets: secret " + std::to_string(i + 1) + " of " +
                          std::to_string(secrets.size()) + " is weak (" + *why +
                          "); use 32 random bytes, e.g. the output of `authpp secret`";
    if (!config.dev) return auth_error{errc::invalid_config, std::move(message)};
    warnings.push_back(std::move(message));
  }
  return warnings;
}

result<std::pair<std::string, std::uint16_t>> parse_listen(std::string_view text) {
  const auto bad = [](std::string why) {
    return auth_error{errc::malformed_input, std::move(why)};
  };
  const std::size_t colon = text.rfind(':');
  if (colon == std::string_view::npos) {
    return bad("expected host:port, e.g. 127.0.0.1:3000");
  }
  std::string_view host = text.substr(0, colon);
  const std::string_view port_text = text.substr(colon + 1);

  unsigned long port = 0;
  const auto [end, ec] =
      std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (port_text.empty() || ec != std::errc() || end != port_text.data() + port_text.size() ||
      port_text.size() > 5) {
    return bad("expected a port number after the last ':'");
  }
  // Port 0 asks the system for a free port (the server prints the one it got): tests use it.
  if (port > 65535) return bad("port must be in 0..65535");

  std::string out;
  if (host.empty()) {
    out = "0.0.0.0";
  } else if (host.front() == '[') {
    if (host.size() < 3 || host.back() != ']') return bad("unterminated IPv6 literal");
    out = std::string(host.substr(1, host.size() - 2));
    in6_addr a6{};
    if (::inet_pton(AF_INET6, out.c_str(), &a6) != 1) return bad("invalid IPv6 address");
  } else {
    out = std::string(host);
    if (out.find(':') != std::string::npos) {
      return bad("write an IPv6 address in brackets, e.g. [::1]:3000");
    }
    // The server binds an address, not a name: a name may stand for several addresses, or for
    // different ones tomorrow. `localhost` is the one name with a fixed meaning here.
    if (http::iequals(out, "localhost")) {
      out = "127.0.0.1";
    } else if (in_addr a4{}; ::inet_pton(AF_INET, out.c_str(), &a4) != 1) {
      const bool numeric = std::all_of(out.begin(), out.end(),
                                       [](char c) { return (c >= '0' && c <= '9') || c == '.'; });
      if (numeric) return bad("invalid IPv4 address");
      return bad("'" + out +
                 "' is a host name; listen on an IP address: 127.0.0.1 (this machine only), "
                 "0.0.0.0 (every IPv4 interface) or [::1]");
    }
  }
  return std::pair{std::move(out), static_cast<std::uint16_t>(port)};
}

namespace {

// load_from reads `text` (the file `file`, when given), then the environment and `options`.
result<app_config> load_from(const std::optional<std::string>& file, std::string_view text,
                             const environment& env, const load_options& options) {
  app_config c;
  loader l(file.value_or("(environment)"));
  bool file_secrets = false;
  bool file_url = false;

  if (file) {
    if (text.size() > max_config_bytes) {
      return auth_error{errc::invalid_config, "cannot read " + *file + ": larger than 1 MiB"};
    }
    toml::table doc;
    // toml++ is built with exceptions (Debian's shared library); its parse error is turned into
    // a value here, at the only place it can be thrown.
    try {
      doc = toml::parse(text, *file);
    } catch (const toml::parse_error& e) {
      const auto& b = e.source().begin;
      return auth_error{errc::invalid_config,
                        one_line(*file + ":" + std::to_string(b.line) + ":" +
                                 std::to_string(b.column) + ": " + std::string(e.description()))};
    }
    l.check_keys(doc, "",
                 {"dev", "server", "auth", "storage", "database", "log", "metrics", "rate_limit",
                  "email", "providers", "forward_auth", "totp", "passkey", "account"});
    l.boolean(doc, "", "dev", c.dev);
    if (const toml::table* t = l.table(doc, "", "server")) load_server(l, *t, c.server);
    if (const toml::table* t = l.table(doc, "", "auth")) {
      load_auth(l, *t, c.auth);
      file_secrets = !c.auth.secrets.empty();
      file_url = c.auth.url.has_value();
    }
    if (const toml::table* t = l.table(doc, "", "storage")) load_storage(l, *t, c.storage);
    if (const toml::table* t = l.table(doc, "", "database")) load_database(l, *t, c.database);
    if (const toml::table* t = l.table(doc, "", "log")) load_log(l, *t, c.log);
    if (const toml::table* t = l.table(doc, "", "metrics")) load_metrics(l, *t, c.metrics);
    if (const toml::table* t = l.table(doc, "", "rate_limit")) load_rate_limit(l, *t, c.rate_limit);
    if (const toml::table* t = l.table(doc, "", "email")) load_email(l, *t, c.email);
    if (const toml::table* t = l.table(doc, "", "totp")) {
      load_totp(l, *t, c.auth.totp);
      c.totp_configured = t->contains("enabled");
    }
    if (const toml::table* t = l.table(doc, "", "account")) load_account(l, *t, c.account);
    if (const toml::table* t = l.table(doc, "", "passkey")) load_passkey(l, *t, c.passkey);
    if (const toml::table* t = l.table(doc, "", "forward_auth")) {
      load_forward_auth(l, *t, c.forward_auth);
      if (c.forward_auth.enabled && c.server.trusted_proxies.empty()) {
        l.fail(t->source(), "forward_auth.enabled",
               "needs server.trusted_proxies: only a trusted proxy may name the URL it asks about");
      }
    }
    if (const toml::node* n = doc.get("providers")) load_providers(l, *n, c.providers);
  }
  for (std::size_t i = 0; i < c.providers.size(); ++i) {
    provider_settings& p = c.providers[i];
    provider_env(env, p);
    // An Apple secret is a JWT that expires: refuse a dead one now, not at every sign-in.
    if (p.type == "apple" && !p.client_secret.empty()) {
      if (auto problem = providers::apple_secret_problem(p.client_secret, default_clock())) {
        l.fail_unplaced("providers[" + std::to_string(i) + "].client_secret: " + *problem);
      }
    }
  }

  // The environment, as Auth.js' setEnvDefaults reads it: secrets only when the configuration
  // has none, ordered [AUTH_SECRET_3, AUTH_SECRET_2, AUTH_SECRET_1, AUTH_SECRET] (newest first:
  // the first one encrypts), an empty variable counting as unset.
  if (!file_secrets) {
    std::vector<std::string> secrets;
    for (const char* name : {"AUTH_SECRET_3", "AUTH_SECRET_2", "AUTH_SECRET_1", "AUTH_SECRET"}) {
      if (std::string v = env_value(env, name); !v.empty()) secrets.push_back(std::move(v));
    }
    c.auth.secrets = std::move(secrets);
  }
  if (!file_url) {
    if (std::string v = env_value(env, "AUTH_URL"); !v.empty()) {
      if (auto e = url_problem(v)) l.fail_unplaced("AUTH_URL: " + *e);
      c.auth.url = std::move(v);
    }
  }
  if (c.database.url.empty()) c.database.url = env_value(env, "DATABASE_URL");
  if (c.email.password.empty()) c.email.password = env_value(env, "AUTHPP_SMTP_PASSWORD");
  // Auth.js: `trustHost ||= !!AUTH_TRUST_HOST`, so any non-empty text, "false" included, trusts.
  if (!env_value(env, "AUTH_TRUST_HOST").empty()) c.auth.trust_host = true;

  // Command-line flags win over both.
  if (options.dev) c.dev = true;
  if (options.listen) {
    auto hp = parse_listen(*options.listen);
    if (hp) {
      c.server.host = hp->first;
      c.server.port = hp->second;
    } else {
      l.fail_unplaced("--listen: " + hp.error().detail);
    }
  }
  if (options.data_dir) {
    if (options.data_dir->empty()) l.fail_unplaced("--data-dir: must not be empty");
    c.storage.data_dir = *options.data_dir;
  }
  if (options.database) {
    if (options.database->empty()) l.fail_unplaced("--database: must not be empty");
    if (is_postgres_url(*options.database)) {
      c.database.url = *options.database;
    } else {
      c.storage.database = *options.database;
      c.database.url.clear();  // a SQLite file named on the command line wins over a url
    }
  }
  if (c.storage.database.empty() && !c.storage.data_dir.empty()) {
    c.storage.database = (std::filesystem::path(c.storage.data_dir) / "authpp.db").string();
  }

  if (options.require_secret && !c.dev && c.auth.secrets.empty()) {
    l.fail_unplaced(
        "auth.secrets: no secret configured; set AUTH_SECRET or auth.secrets (or run with "
        "--dev)");
  }
  if (auto m = l.first()) return auth_error{errc::invalid_config, std::move(*m)};
  return c;
}

}  // namespace

result<app_config> load_config(const std::optional<std::string>& file, const environment& env,
                               const load_options& options) {
  if (!file) return load_from(std::nullopt, {}, env, options);
  auto text = read_file(*file);
  if (!text) return text.error();
  return load_from(file, *text, env, options);
}

result<app_config> load_config_text(std::string_view text, const std::string& name,
                                    const environment& env, const load_options& options) {
  return load_from(name, text, env, options);
}

}  // namespace authpp::server
