// client_quickstart: sign in with credentials, read the session, sign out, the way a browser
// running next-auth/react would. Usage:
//   client_quickstart http://127.0.0.1:3000/api/auth demo@example.com 'the password'
#include <authpp/client/client.hpp>

#include <iostream>

int main(int argc, char** argv) {
  if (argc != 4) {
    std::cerr << "usage: client_quickstart BASE_URL EMAIL PASSWORD\n";
    return 2;
  }
  namespace client = authpp::client;
  auto c = client::client::create({.base_url = argv[1]});
  if (!c) {
    std::cerr << c.error().message() << '\n';
    return 2;
  }

  // signIn("credentials", {redirect: false, email, password})
  auto signed_in =
      c->sign_in("credentials", client::sign_in_options<false>{
                                    .redirect_to = "/",
                                    .fields = {{"email", argv[2]}, {"password", argv[3]}},
                                });
  if (!signed_in) {  // the call itself failed: network, not JSON, ...
    std::cerr << signed_in.error().message() << '\n';
    return 1;
  }
  if (!*signed_in || (*signed_in)->error) {  // the server refused: decide by `error`, not `ok`
    std::cerr << "sign-in failed: " << (*signed_in ? (*signed_in)->error.value() : "no provider")
              << '\n';
    return 1;
  }

  auto session = c->get_session();  // getSession()
  if (!session || !*session) return 1;
  std::cout << "signed in as " << (**session)["user"]["email"].get<std::string>() << '\n';

  auto signed_out = c->sign_out(client::sign_out_options<false>{});  // signOut({redirect: false})
  if (!signed_out) return 1;
  std::cout << "signed out, next page: " << signed_out->url << '\n';
  return 0;
}
