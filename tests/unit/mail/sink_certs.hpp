#pragma once

// sink_certs writes a throw-away CA and a server certificate for 127.0.0.1 and localhost, made
// with unit/net/test_pki.hpp, as PEM files the SMTP sink loads and the sender trusts (ca_file).
#include <filesystem>
#include <fstream>
#include <string>

#include <openssl/pem.h>

#include "unit/net/test_pki.hpp"

namespace authpp::mail::test {

struct sink_certs {
  std::string ca_file, cert_file, key_file;
};

inline void write_file(const std::filesystem::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

inline std::string key_pem(EVP_PKEY* key) {
  BIO* bio = BIO_new(BIO_s_mem());
  authpp::test::check(bio != nullptr && PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0,
                                                                 nullptr, nullptr) == 1,
                      "key PEM");
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio, &data);
  std::string out(data, static_cast<std::size_t>(n));
  BIO_free(bio);
  return out;
}

// make_sink_certs writes ca.pem, cert.pem and key.pem into `dir`.
inline sink_certs make_sink_certs(const std::filesystem::path& dir) {
  using namespace authpp::test;
  pkey_ptr ca_key = new_p256_key();
  x509_ptr ca = make_cert(ca_key.get(), "authpp mail test CA", nullptr, nullptr, nullptr, 1);
  pkey_ptr key = new_p256_key();
  x509_ptr leaf = make_cert(key.get(), "authpp smtp sink", ca.get(), ca_key.get(),
                            "IP:127.0.0.1,DNS:localhost", 2);
  sink_certs out{(dir / "ca.pem").string(), (dir / "cert.pem").string(),
                 (dir / "key.pem").string()};
  write_file(out.ca_file, to_pem(ca.get()));
  write_file(out.cert_file, to_pem(leaf.get()));
  write_file(out.key_file, key_pem(key.get()));
  return out;
}

}  // namespace authpp::mail::test
