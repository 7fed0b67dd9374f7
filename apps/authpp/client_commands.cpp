// `authpp signin|signout|session|csrf|providers`: the client SDK from the shell, printing one
// JSON object per call so that scripts stop hand-rolling the csrf → callback → parse-the-url dance.
#include <authpp/client/client.hpp>
#include <authpp/core/json.hpp>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <unistd.h>

#include "commands.hpp"

namespace authpp::cli {
namespace {

struct client_cli_options {
  std::string url;
  std::string jar;
  std::string provider = "credentials";
  // Optional, not empty-means-absent: next-auth/react sends an empty redirectTo as "".
  std::optional<std::string> redirect_to;
  std::string current_url;
  bool no_redirect = false;
  // -f, --field-file and --field-env; the form keeps their command-line order (form_fields).
  std::vector<std::string> fields;
  std::vector<std::string> field_files;
  std::vector<std::string> field_envs;
  std::vector<std::string> authorization_params;
  // The transport: a CA bundle for a private or self-signed certificate, no verification at all
  // (with a warning), a proxy.
  std::string cacert;
  bool insecure = false;
  std::optional<std::string> proxy;
};

// Field values read from a file or standard input are bounded (a password is at most 4 KiB).
constexpr std::size_t max_field_file_bytes = 64 * 1024;

// split_pairs turns "key=value" arguments into pairs; a missing `=` is a usage error.
std::vector<std::pair<std::string, std::string>> split_pairs(const std::vector<std::string>& args,
                                                             std::string_view flag) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const std::string& a : args) {
    const std::size_t eq = a.find('=');
    if (eq == std::string::npos || eq == 0) {
      throw failure{std::string(flag) + " expects key=value, got \"" + a + "\"", 2};
    }
    out.emplace_back(a.substr(0, eq), a.substr(eq + 1));
  }
  return out;
}

// form_fields builds the form from -f NAME=VALUE, --field-file NAME=PATH and --field-env
// NAME=VARIABLE in command-line order (the order of next-auth/react's object keys). It reads every
// file and variable before the first request, so a missing one stops the call before it starts.
std::vector<std::pair<std::string, std::string>> form_fields(const CLI::App& cmd) {
  const CLI::Option* literal = cmd.get_option("--field");
  const CLI::Option* from_file = cmd.get_option("--field-file");
  const CLI::Option* from_env = cmd.get_option("--field-env");
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& [opt, arg] : in_command_line_order(cmd, {literal, from_file, from_env})) {
    const std::string_view flag = opt == literal     ? "-f"
                                  : opt == from_file ? "--field-file"
                                                     : "--field-env";
    const std::size_t eq = arg.find('=');
    if (opt == literal) {
      // Split as before: a missing `=` is a usage error, an empty value is a value.
      out.push_back(split_pairs({arg}, flag).front());
      continue;
    }
    const std::string_view source = opt == from_file ? "NAME=PATH" : "NAME=VARIABLE";
    if (eq == std::string::npos || eq == 0 || eq + 1 == arg.size()) {
      throw failure{std::string(flag) + " expects " + std::string(source) + ", got \"" + arg + "\"",
                    2};
    }
    std::string name = arg.substr(0, eq);
    const std::string where = arg.substr(eq + 1);
    const std::string what = std::string(flag) + " " + name;
    if (opt == from_file) {
      out.emplace_back(std::move(name), read_secret_file(what, where, max_field_file_bytes));
    } else if (const char* value = std::getenv(where.c_str()); value != nullptr) {
      out.emplace_back(std::move(name), value);
    } else {
      throw failure{what + ": environment variable " + where + " is not set", 2};
    }
  }
  return out;
}

json optional_string(const std::optional<std::string>& s) { return s ? json(*s) : json(nullptr); }

// session runs one call with a client whose jar is loaded from --jar before and saved after.
class session {
 public:
  explicit session(const client_cli_options& o) : jar_path_(o.jar) {
    auto jar = std::make_shared<client::cookie_jar>();
    if (!jar_path_.empty()) {
      auto loaded = jar->load(jar_path_);
      if (!loaded) throw failure{jar_path_ + ": " + loaded.error().message()};
      // A damaged line costs its cookie, not the call: say which line, never what it held (a
      // session token, maybe). The save at the end of the call drops it.
      constexpr std::size_t max_shown = 5;
      for (std::size_t i = 0; i < loaded->size() && i < max_shown; ++i) {
        std::cerr << "authpp: warning: " << jar_path_ << ':' << (*loaded)[i].line << ": "
                  << (*loaded)[i].reason << "; line skipped, and dropped when the jar is saved\n";
      }
      if (loaded->size() > max_shown) {
        std::cerr << "authpp: warning: " << jar_path_ << ": " << loaded->size() - max_shown
                  << " more lines skipped\n";
      }
    }
    client::client_options options;
    options.base_url = o.url;
    if (!o.cacert.empty()) {
      if (::access(o.cacert.c_str(), R_OK) != 0) {
        throw failure{"--cacert: cannot read " + o.cacert + ": " + std::strerror(errno), 2};
      }
      options.http.ca_file = o.cacert;
    }
    if (o.insecure) {
      std::cerr << "authpp: warning: --insecure: the server's certificate is not checked; anyone "
                   "on the path can read and change this exchange, session cookie included\n";
      options.http.verify_tls = false;
    }
    options.http.proxy = o.proxy;
    if (!o.current_url.empty()) options.current_url = o.current_url;
    options.jar = jar;
    options.log = [](client::log_level level, std::string_view message) {
      if (level >= client::log_level::warn) std::cerr << "authpp: " << message << '\n';
    };
    // Record where the client navigates, then load it as a browser would (the default).
    options.navigate = [this](std::string_view url) -> result<void> {
      navigated_ = std::string(url);
      return client_->follow(url);
    };
    auto created = client::client::create(std::move(options));
    if (!created) throw failure{"--url: " + created.error().message(), 2};
    client_ = std::make_unique<client::client>(std::move(*created));
  }

  const client::client& operator*() const { return *client_; }
  const std::optional<std::string>& navigated() const { return navigated_; }

  // finish saves the jar and prints `out`, or fails on the call's error.
  template <class T>
  void finish(const result<T>& r, const std::function<json()>& out) {
    if (!jar_path_.empty()) {
      if (auto saved = client_->jar().save(jar_path_); !saved) {
        throw failure{jar_path_ + ": " + saved.error().message()};
      }
    }
    if (!r) throw failure{r.error().message()};
    std::cout << out().dump() << '\n';
  }

 private:
  std::string jar_path_;
  std::unique_ptr<client::client> client_;
  std::optional<std::string> navigated_;
};

json navigated_json(const session& s) {
  return json{{"navigated", s.navigated() ? json(*s.navigated()) : json(nullptr)}};
}

void run_signin(const client_cli_options& o, const CLI::App& cmd) {
  client::sign_in_options<> options;
  options.fields = form_fields(cmd);
  session s(o);
  options.redirect_to = o.redirect_to;
  const client::authorization_params params(
      split_pairs(o.authorization_params, "--authorization-param"));
  const auto r = (*s).sign_in(o.provider, !o.no_redirect, options, params);
  s.finish(r, [&] {
    if (!r->has_value()) return navigated_json(s);
    const client::sign_in_response& res = **r;
    return json{{"error", optional_string(res.error)},
                {"code", optional_string(res.code)},
                {"status", res.status},
                {"ok", res.ok},
                {"url", optional_string(res.url)}};
  });
}

void run_signout(const client_cli_options& o) {
  session s(o);
  client::sign_out_options<> options;
  options.redirect_to = o.redirect_to;
  const auto r = (*s).sign_out(!o.no_redirect, options);
  s.finish(r, [&] {
    if (!r->has_value()) return navigated_json(s);
    return json{{"url", (*r)->url}};
  });
}

// add_common adds the options every client command takes. `url_required` is false only for
// `session`, which also has the `revoke` subcommand (an operator's, with no URL): its callback
// checks --url itself.
void add_common(CLI::App* cmd, client_cli_options& o, bool url_required = true) {
  auto* url =
      cmd->add_option("--url", o.url, "Auth.js API base URL, e.g. http://127.0.0.1:3000/api/auth");
  if (url_required) url->required();
  cmd->add_option("--jar", o.jar, "Netscape cookie file (curl -b/-c format): loaded, then saved");
  cmd->add_option("--current-url", o.current_url,
                  "The page the call starts from (callbackUrl fallback); default: origin + /");
  cmd->add_option("--cacert", o.cacert,
                  "PEM file of the CA (or self-signed certificate) to check the server with");
  cmd->add_flag("--insecure", o.insecure,
                "Do not check the server's certificate (a warning is printed)");
  cmd->add_option("--proxy", o.proxy,
                  "Proxy URL, as curl takes it (http://host:3128, socks5h://…); \"\" for none; "
                  "default: the http_proxy / https_proxy variables");
}

}  // namespace

void add_client_commands(CLI::App& app) {
  auto o = std::make_shared<client_cli_options>();

  auto* signin = app.add_subcommand("signin", "Sign in like next-auth/react's signIn()");
  add_common(signin, *o);
  signin->add_option("--provider", o->provider, "Provider id")->capture_default_str();
  signin->add_option("--redirect-to", o->redirect_to, "Where to go after signing in");
  signin->add_flag("--no-redirect", o->no_redirect,
                   "Print the SignInResponse instead of following");
  signin->add_option("-f,--field", o->fields,
                     "Form field NAME=VALUE (repeatable, in order); visible to other local users "
                     "(ps), so give secrets with --field-file or --field-env");
  signin->add_option("--field-file", o->field_files,
                     "Form field NAME=PATH: the value is the file's contents, or standard input "
                     "for -, without one trailing newline (repeatable, in order with -f)");
  signin->add_option("--field-env", o->field_envs,
                     "Form field NAME=VARIABLE: the value of environment variable VARIABLE "
                     "(repeatable, in order with -f)");
  signin->add_option("--authorization-param", o->authorization_params,
                     "Appended to the sign-in URL as key=value (repeatable)");
  signin->callback([o, signin] { run_signin(*o, *signin); });

  auto* signout = app.add_subcommand("signout", "Sign out like next-auth/react's signOut()");
  add_common(signout, *o);
  signout->add_option("--redirect-to", o->redirect_to, "Where to go after signing out");
  signout->add_flag("--no-redirect", o->no_redirect, "Print the SignOutResponse");
  signout->callback([o] { run_signout(*o); });

  auto* session_cmd = app.add_subcommand("session", "Print the session (getSession()) or null");
  add_common(session_cmd, *o, false);
  add_session_revoke_command(*session_cmd);
  session_cmd->callback([o, session_cmd] {
    if (!session_cmd->get_subcommands().empty()) return;  // `session revoke` ran instead
    if (o->url.empty()) throw failure{"--url is required", 2};
    session s(*o);
    const auto r = (*s).get_session();
    s.finish(r, [&] { return r->has_value() ? **r : json(nullptr); });
  });

  auto* csrf = app.add_subcommand("csrf", "Print {\"csrfToken\":…} (getCsrfToken())");
  add_common(csrf, *o);
  csrf->callback([o] {
    session s(*o);
    const auto r = (*s).get_csrf_token();
    s.finish(r, [&] { return json{{"csrfToken", *r}}; });
  });

  auto* providers = app.add_subcommand("providers", "Print the provider map (getProviders())");
  add_common(providers, *o);
  providers->callback([o] {
    session s(*o);
    const auto r = (*s).get_providers();
    s.finish(r, [&] { return *r; });
  });
}

}  // namespace authpp::cli
