#include <authpp/pages/qr.hpp>

#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <regex>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "test_support/command.hpp"
#include "test_support/test_support.hpp"

// Tests of the QR encoder. Structure is checked against ISO/IEC 18004 directly; the output as a
// whole is checked against independent tools: rsvg-convert renders the SVG and zbarimg must read
// the text back, and python-qrcode must produce the same matrix for the same version, level and
// mask. A missing tool fails the test (naming its Debian package), it never skips.
namespace authpp::pages {
namespace {

constexpr std::array<qr_ecc, 4> all_levels = {qr_ecc::low, qr_ecc::medium, qr_ecc::quartile,
                                              qr_ecc::high};

constexpr std::string_view otpauth_uri =
    "otpauth://totp/authpp:ada%40example.com?secret=JBSWY3DPEHPK3PXP&issuer=authpp&algorithm=SHA1&"
    "digits=6&period=30";

char letter(qr_ecc level) { return "LMQH"[static_cast<int>(level)]; }

// filler returns `length` printable ASCII characters that vary, so no mask has it easy.
std::string filler(std::size_t length, int seed = 0) {
  std::string out;
  for (std::size_t i = 0; i < length; ++i) {
    out += static_cast<char>('!' + (i * 7 + static_cast<std::size_t>(seed) * 13) % 94);
  }
  return out;
}

// arbitrary_bytes returns `length` bytes covering all 256 values, including NUL.
std::string arbitrary_bytes(std::size_t length, int seed) {
  std::string out;
  for (std::size_t i = 0; i < length; ++i) {
    out += static_cast<char>((i * 37 + static_cast<std::size_t>(seed) * 11) & 0xFF);
  }
  return out;
}

qr_code encode_or_fail(std::string_view text, const qr_options& options) {
  result<qr_code> code = encode_qr(text, options);
  EXPECT_TRUE(code) << code.error().message();
  return std::move(code).value();
}

std::vector<bool> modules_of(const qr_code& code) {
  std::vector<bool> out;
  for (int y = 0; y < code.size(); ++y) {
    for (int x = 0; x < code.size(); ++x) {
      out.push_back(code.module(x, y));
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Reading the symbol back, written from the standard independently of the encoder.

// bch_remainder divides `value` by `generator` (both as GF(2) polynomials).
std::uint32_t bch_remainder(std::uint32_t value, std::uint32_t generator) {
  const int generator_degree = static_cast<int>(std::bit_width(generator)) - 1;
  for (int bit = 31; bit >= generator_degree; --bit) {
    if ((value >> bit) & 1) {
      value ^= generator << (bit - generator_degree);
    }
  }
  return value;
}

// format_copies reads the two 15-bit format words (§7.9.1, Figure 25), unmasked.
std::array<std::uint32_t, 2> format_copies(const qr_code& code) {
  const int n = code.size();
  // (x, y) of bits 14 down to 0 in each copy.
  const std::array<std::array<int, 2>, 15> first = {{{0, 8},
                                                     {1, 8},
                                                     {2, 8},
                                                     {3, 8},
                                                     {4, 8},
                                                     {5, 8},
                                                     {7, 8},
                                                     {8, 8},
                                                     {8, 7},
                                                     {8, 5},
                                                     {8, 4},
                                                     {8, 3},
                                                     {8, 2},
                                                     {8, 1},
                                                     {8, 0}}};
  std::array<std::array<int, 2>, 15> second{};
  for (int i = 0; i < 7; ++i) {
    second[static_cast<std::size_t>(i)] = {8, n - 1 - i};  // bits 14..8 up column 8
  }
  for (int i = 7; i < 15; ++i) {
    second[static_cast<std::size_t>(i)] = {n - 15 + i, 8};  // bits 7..0 along row 8
  }
  std::array<std::uint32_t, 2> out{};
  for (std::size_t i = 0; i < 15; ++i) {
    out[0] = out[0] << 1 | (code.module(first[i][0], first[i][1]) ? 1U : 0U);
    out[1] = out[1] << 1 | (code.module(second[i][0], second[i][1]) ? 1U : 0U);
  }
  return {out[0] ^ 0b101010000010010U, out[1] ^ 0b101010000010010U};
}

// version_copies reads the two 18-bit version words (§7.10, Figure 28): bit i of the word is
// at column i / 3, row size - 11 + i % 3 (bottom left) and transposed (top right).
std::array<std::uint32_t, 2> version_copies(const qr_code& code) {
  std::array<std::uint32_t, 2> out{};
  for (int i = 17; i >= 0; --i) {
    const int a = i / 3;
    const int b = code.size() - 11 + i % 3;
    out[0] = out[0] << 1 | (code.module(a, b) ? 1U : 0U);
    out[1] = out[1] << 1 | (code.module(b, a) ? 1U : 0U);
  }
  return out;
}

// penalty_score scores a symbol with the four rules of §7.8.3 (Table 11).
int penalty_score(const qr_code& code) {
  const int n = code.size();
  std::vector<std::string> lines;  // rows then columns, '1' for dark
  for (int i = 0; i < n; ++i) {
    std::string row;
    std::string column;
    for (int k = 0; k < n; ++k) {
      row += code.module(k, i) ? '1' : '0';
      column += code.module(i, k) ? '1' : '0';
    }
    lines.push_back(row);
    lines.push_back(column);
  }
  int score = 0;
  for (const std::string& line : lines) {
    for (std::size_t start = 0; start < line.size();) {
      std::size_t end = start;
      while (end < line.size() && line[end] == line[start]) {
        ++end;
      }
      if (end - start >= 5) {
        score += 3 + static_cast<int>(end - start - 5);
      }
      start = end;
    }
    for (std::string_view pattern : {"10111010000", "00001011101"}) {
      for (std::size_t at = line.find(pattern); at != std::string::npos;
           at = line.find(pattern, at + 1)) {
        score += 40;
      }
    }
  }
  int dark = 0;
  for (int y = 0; y < n; ++y) {
    for (int x = 0; x < n; ++x) {
      dark += code.module(x, y) ? 1 : 0;
      if (x + 1 < n && y + 1 < n) {
        const int block = code.module(x, y) + code.module(x + 1, y) + code.module(x, y + 1) +
                          code.module(x + 1, y + 1);
        score += (block == 0 || block == 4) ? 3 : 0;
      }
    }
  }
  int k = 0;
  while (dark * 100 < (45 - 5 * k) * n * n || dark * 100 > (55 + 5 * k) * n * n) {
    ++k;
  }
  return score + 10 * k;
}

// ---------------------------------------------------------------------------------------------
// Running the external tools.

using test::command_output;
using test::run_command;

// Debian's python3-qrcode installs into the system interpreter; a `python3` earlier on PATH
// (pyenv, a venv) would not see it.
constexpr std::string_view python = "/usr/bin/python3";

::testing::AssertionResult have_tool(std::string_view probe, std::string_view what,
                                     std::string_view package) {
  if (run_command(std::string(probe) + " >/dev/null 2>&1").status == 0) {
    return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure() << what << " is missing: install the Debian package "
                                       << package << " (scripts/install-deps.sh)";
}

// scratch_dir is a fresh directory removed with its content when the test ends.
class scratch_dir {
 public:
  scratch_dir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "authpp-qr-XXXXXX").string();
    if (::mkdtemp(pattern.data()) != nullptr) {
      path_ = pattern;
    }
  }
  ~scratch_dir() {
    std::error_code ignored;
    if (!path_.empty()) {
      std::filesystem::remove_all(path_, ignored);
    }
  }
  scratch_dir(const scratch_dir&) = delete;
  scratch_dir& operator=(const scratch_dir&) = delete;

  bool ok() const { return !path_.empty(); }
  // file writes `content` to `name` in the directory and returns its path.
  std::string file(std::string_view name, std::string_view content) const {
    const std::filesystem::path p = path_ / name;
    std::ofstream(p, std::ios::binary) << content;
    return p.string();
  }
  std::string path(std::string_view name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

// zbar_read renders `svg` to a PNG of `pixels` wide with rsvg-convert and returns what zbarimg
// reads in it (without zbarimg's trailing newline), or a string starting with "error:" followed
// by the tools' standard error (kept out of the test log otherwise: zbarimg warns about D-Bus).
std::string zbar_read(const scratch_dir& dir, const std::string& svg, int pixels) {
  const std::string svg_path = dir.file("code.svg", svg);
  const std::string png_path = dir.path("code.png");
  const std::string log_path = dir.path("stderr.txt");
  const std::string width = std::to_string(pixels);
  auto failure = [&](std::string_view what) {
    std::ifstream log(log_path);
    return "error: " + std::string(what) + ": " +
           std::string(std::istreambuf_iterator<char>(log), std::istreambuf_iterator<char>());
  };
  if (run_command("rsvg-convert -w " + width + " -h " + width + " -o '" + png_path + "' '" +
                  svg_path + "' 2>'" + log_path + "'")
          .status != 0) {
    return failure("rsvg-convert failed");
  }
  command_output read = run_command("zbarimg --raw -q '" + png_path + "' 2>'" + log_path + "'");
  if (read.status != 0) {
    return failure("zbarimg exit code " + std::to_string(read.status));
  }
  if (!read.out.empty() && read.out.back() == '\n') {
    read.out.pop_back();
  }
  return read.out;
}

std::string hex(std::string_view bytes) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out += digits[c >> 4];
    out += digits[c & 0xF];
  }
  return out;
}

// python_qrcode_script prints, for each line "version level mask hex" of the file named by its
// argument, the matrix python-qrcode builds in byte mode as one line of 0/1, row by row.
constexpr std::string_view python_qrcode_script = R"(
import sys, qrcode
from qrcode.constants import ERROR_CORRECT_L, ERROR_CORRECT_M, ERROR_CORRECT_Q, ERROR_CORRECT_H
from qrcode.util import QRData, MODE_8BIT_BYTE
levels = {'L': ERROR_CORRECT_L, 'M': ERROR_CORRECT_M, 'Q': ERROR_CORRECT_Q, 'H': ERROR_CORRECT_H}
for line in open(sys.argv[1]):
    version, level, mask, data = line.rstrip('\n').split(' ', 3)
    qr = qrcode.QRCode(version=int(version), error_correction=levels[level],
                       mask_pattern=int(mask), border=0)
    qr.add_data(QRData(bytes.fromhex(data), mode=MODE_8BIT_BYTE))
    qr.make(fit=False)
    print(''.join('1' if m else '0' for row in qr.modules for m in row))
)";

// ---------------------------------------------------------------------------------------------
// Structure.

TEST(QrCodeTest, SizeIsSeventeenPlusFourPerVersion) {
  for (int version = 1; version <= 40; ++version) {
    SCOPED_TRACE(testing::Message() << "version " << version);
    const qr_code code = encode_or_fail("x", {.min_version = version, .mask = 0});
    EXPECT_EQ(code.version(), version);
    EXPECT_EQ(code.size(), 17 + 4 * version);
    EXPECT_FALSE(code.module(-1, 0));  // outside reads as quiet zone
    EXPECT_FALSE(code.module(0, code.size()));
  }
}

TEST(QrCodeTest, FinderPatternsAndSeparatorsSitInThreeCorners) {
  for (int version : {1, 7, 40}) {
    const qr_code code =
        encode_or_fail(otpauth_uri.substr(0, 10), {.min_version = version, .mask = version % 8});
    const int n = code.size();
    const std::array<std::array<int, 2>, 3> centres = {{{3, 3}, {n - 4, 3}, {3, n - 4}}};
    for (auto [cx, cy] : centres) {
      for (int dy = -4; dy <= 4; ++dy) {
        for (int dx = -4; dx <= 4; ++dx) {
          const int ring = std::max(std::abs(dx), std::abs(dy));
          const int x = cx + dx;
          const int y = cy + dy;
          if (x < 0 || y < 0 || x >= n || y >= n) {
            continue;
          }
          SCOPED_TRACE(testing::Message() << "version " << version << " x " << x << " y " << y);
          // Dark 7×7 border, light ring, dark 3×3 core, light separator.
          EXPECT_EQ(code.module(x, y), ring == 0 || ring == 1 || ring == 3);
        }
      }
    }
  }
}

TEST(QrCodeTest, TimingPatternsAlternateBetweenFinders) {
  for (int version : {1, 2, 10, 40}) {
    const qr_code code = encode_or_fail("timing", {.min_version = version, .mask = version % 8});
    for (int i = 8; i < code.size() - 8; ++i) {
      SCOPED_TRACE(testing::Message() << "version " << version << " index " << i);
      EXPECT_EQ(code.module(i, 6), i % 2 == 0);
      EXPECT_EQ(code.module(6, i), i % 2 == 0);
    }
    EXPECT_TRUE(code.module(8, code.size() - 8)) << "the dark module";
  }
}

// Annex E, Table E.1, including version 32, the one whose spacing is not the rounded-up one.
TEST(QrCodeTest, AlignmentPatternsFollowTableE1) {
  const std::vector<std::pair<int, std::vector<int>>> table = {
      {2, {6, 18}},
      {7, {6, 22, 38}},
      {16, {6, 26, 50, 74}},
      {32, {6, 34, 60, 86, 112, 138}},
      {36, {6, 24, 50, 76, 102, 128, 154}},
      {40, {6, 30, 58, 86, 114, 142, 170}}};
  for (const auto& [version, centres] : table) {
    const qr_code code = encode_or_fail("align", {.min_version = version, .mask = version % 8});
    for (int cx : centres) {
      for (int cy : centres) {
        const bool on_finder = (cx == 6 && cy == 6) || (cx == 6 && cy == centres.back()) ||
                               (cx == centres.back() && cy == 6);
        if (on_finder) {
          continue;
        }
        for (int dy = -2; dy <= 2; ++dy) {
          for (int dx = -2; dx <= 2; ++dx) {
            SCOPED_TRACE(testing::Message() << "version " << version << " centre " << cx << ","
                                            << cy << " offset " << dx << "," << dy);
            EXPECT_EQ(code.module(cx + dx, cy + dy), std::max(std::abs(dx), std::abs(dy)) != 1);
          }
        }
      }
    }
  }
}

TEST(QrCodeTest, FormatInformationNamesLevelAndMaskInBothCopies) {
  constexpr std::array<std::uint32_t, 4> level_bits = {0b01, 0b00, 0b11, 0b10};  // L M Q H
  for (qr_ecc level : all_levels) {
    for (int mask = 0; mask < 8; ++mask) {
      SCOPED_TRACE(testing::Message() << "level " << letter(level) << " mask " << mask);
      const qr_code code = encode_or_fail(otpauth_uri, {.level = level, .mask = mask});
      EXPECT_EQ(code.mask(), mask);
      EXPECT_EQ(code.level(), level);
      const auto [first, second] = format_copies(code);
      EXPECT_EQ(first, second);
      EXPECT_EQ(bch_remainder(first, 0b10100110111), 0U) << "not a BCH(15,5) codeword";
      EXPECT_EQ(first >> 13, level_bits[static_cast<std::size_t>(level)]);
      EXPECT_EQ((first >> 10) & 0b111, static_cast<std::uint32_t>(mask));
    }
  }
}

TEST(QrCodeTest, VersionInformationFromVersionSeven) {
  for (int version = 7; version <= 40; ++version) {
    SCOPED_TRACE(testing::Message() << "version " << version);
    const qr_code code = encode_or_fail("v", {.min_version = version, .mask = version % 8});
    const auto [bottom_left, top_right] = version_copies(code);
    EXPECT_EQ(bottom_left, top_right);
    EXPECT_EQ(bottom_left >> 12, static_cast<std::uint32_t>(version));
    EXPECT_EQ(bch_remainder(bottom_left, 0b1111100100101), 0U) << "not a BCH(18,6) codeword";
  }
  // Two words straight from Annex D, Table D.1.
  EXPECT_EQ(version_copies(encode_or_fail("v", {.min_version = 7}))[0], 0x07C94U);
  EXPECT_EQ(version_copies(encode_or_fail("v", {.min_version = 40}))[0], 0x28C69U);
}

// ---------------------------------------------------------------------------------------------
// Capacity and version choice.

TEST(QrCodeTest, LargestVersionOneMediumInputIsFourteenBytes) {
  EXPECT_EQ(qr_byte_capacity(1, qr_ecc::medium), 14U);
  EXPECT_EQ(encode_or_fail(filler(14), {}).version(), 1);
  EXPECT_EQ(encode_or_fail(filler(15), {}).version(), 2);
  EXPECT_EQ(encode_or_fail("", {}).version(), 1);
  EXPECT_EQ(encode_or_fail("A", {}).version(), 1);
}

// ISO/IEC 18004 Table 7, byte mode, versions 1 and 40.
TEST(QrCodeTest, ByteCapacityMatchesTableSeven) {
  const std::array<std::size_t, 4> version_1 = {17, 14, 11, 7};
  const std::array<std::size_t, 4> version_40 = {2953, 2331, 1663, 1273};
  for (std::size_t i = 0; i < all_levels.size(); ++i) {
    EXPECT_EQ(qr_byte_capacity(1, all_levels[i]), version_1[i]) << letter(all_levels[i]);
    EXPECT_EQ(qr_byte_capacity(40, all_levels[i]), version_40[i]) << letter(all_levels[i]);
  }
  EXPECT_EQ(qr_byte_capacity(0, qr_ecc::low), 0U);
  EXPECT_EQ(qr_byte_capacity(41, qr_ecc::low), 0U);
}

TEST(QrCodeTest, EachVersionBoundaryMovesToTheNextVersion) {
  for (qr_ecc level : all_levels) {
    for (int version = 1; version < 40; ++version) {
      SCOPED_TRACE(testing::Message() << "level " << letter(level) << " version " << version);
      const std::size_t capacity = qr_byte_capacity(version, level);
      ASSERT_GT(qr_byte_capacity(version + 1, level), capacity);
      EXPECT_EQ(encode_or_fail(filler(capacity), {.level = level, .mask = 0}).version(), version);
      EXPECT_EQ(encode_or_fail(filler(capacity + 1), {.level = level, .mask = 0}).version(),
                version + 1);
    }
  }
}

TEST(QrCodeTest, MinVersionIsALowerBoundOnly) {
  EXPECT_EQ(encode_or_fail("short", {.min_version = 5}).version(), 5);
  EXPECT_EQ(encode_or_fail(filler(200), {.min_version = 2}).version(), 10);  // 10-M holds 213
}

// The automatic choice must be the lowest §7.8.3 penalty (the first such mask on a tie), scored
// here by an implementation of the rules written separately from the encoder's.
TEST(QrCodeTest, ChoosesTheMaskWithTheLowestPenalty) {
  // filler(27, 7) is one where the dark-share rule (N4) decides the mask at level L.
  const std::vector<std::string> inputs = {std::string(otpauth_uri),
                                           "A",
                                           filler(100, 3),
                                           filler(27, 7),
                                           std::string(300, '\0'),
                                           std::string(40, '\xff'),
                                           filler(700, 5)};
  std::array<int, 8> chosen_count{};
  for (const std::string& text : inputs) {
    for (qr_ecc level : all_levels) {
      SCOPED_TRACE(testing::Message() << "level " << letter(level) << " length " << text.size());
      const qr_code chosen = encode_or_fail(text, {.level = level});
      std::array<int, 8> scores{};
      for (int mask = 0; mask < 8; ++mask) {
        const qr_code forced = encode_or_fail(text, {.level = level, .mask = mask});
        scores[static_cast<std::size_t>(mask)] = penalty_score(forced);
        if (mask == chosen.mask()) {
          EXPECT_EQ(modules_of(forced), modules_of(chosen));
        }
      }
      const auto best = std::min_element(scores.begin(), scores.end()) - scores.begin();
      EXPECT_EQ(chosen.mask(), best) << "scores " << testing::PrintToString(scores);
      ++chosen_count[static_cast<std::size_t>(chosen.mask())];
    }
  }
  EXPECT_GE(std::count_if(chosen_count.begin(), chosen_count.end(), [](int n) { return n > 0; }), 3)
      << "the choice barely depends on the data: " << testing::PrintToString(chosen_count);
}

// ---------------------------------------------------------------------------------------------
// Errors.

TEST(QrCodeTest, RejectsTextLongerThanVersionFortyHolds) {
  for (qr_ecc level : all_levels) {
    SCOPED_TRACE(letter(level));
    const std::size_t capacity = qr_byte_capacity(40, level);
    const qr_code largest = encode_or_fail(filler(capacity), {.level = level, .mask = 1});
    EXPECT_EQ(largest.version(), 40);
    const result<qr_code> too_long = encode_qr(filler(capacity + 1), level);
    ASSERT_EQ(test::error_of(too_long), errc::limit_exceeded);
    EXPECT_NE(too_long.error().detail.find(std::to_string(capacity + 1) + " bytes"),
              std::string::npos)
        << too_long.error().detail;
    EXPECT_NE(too_long.error().detail.find("version 40 holds " + std::to_string(capacity)),
              std::string::npos)
        << too_long.error().detail;
  }
  EXPECT_EQ(test::error_of(encode_qr(std::string(1 << 20, 'x'))), errc::limit_exceeded);
}

TEST(QrCodeTest, RejectsOptionsOutOfRange) {
  for (const qr_options& options : {qr_options{.min_version = 0}, qr_options{.min_version = 41},
                                    qr_options{.mask = -1}, qr_options{.mask = 8}}) {
    EXPECT_EQ(test::error_of(encode_qr("x", options)), errc::malformed_input);
  }
}

// ---------------------------------------------------------------------------------------------
// SVG.

TEST(QrSvgTest, IsOneCompactPathWithoutStyleOrScript) {
  const qr_code code = encode_or_fail(otpauth_uri, {});
  const std::string svg = to_svg(code, 4, R"(Scan <this> & "that")");
  const std::string extent = std::to_string(code.size() + 8);
  EXPECT_EQ(svg.rfind(R"(<svg xmlns="http://www.w3.org/2000/svg" )", 0), 0U) << svg.substr(0, 80);
  EXPECT_NE(svg.find(R"( viewBox="0 0 )" + extent + " " + extent + '"'), std::string::npos);
  EXPECT_NE(svg.find(R"( role="img")"), std::string::npos);
  EXPECT_NE(svg.find(R"( aria-label="Scan &lt;this&gt; &amp; &quot;that&quot;")"),
            std::string::npos);
  EXPECT_NE(svg.find(R"( shape-rendering="crispEdges")"), std::string::npos);
  EXPECT_NE(svg.find(R"(<rect width=")" + extent + R"(" height=")" + extent + R"(" fill="#fff"/>)"),
            std::string::npos);
  EXPECT_EQ(svg.find("<path"), svg.rfind("<path"));
  // Its own stroke: a page's icon CSS (stroke: currentColor) once blotted the modules out.
  EXPECT_NE(svg.find(R"(<path fill="#000" stroke="none" d=")"), std::string::npos);
  for (std::string_view forbidden : {"style", "script", "href", "on", "<title", "\n"}) {
    if (forbidden == "on") {
      EXPECT_EQ(svg.find(" on"), std::string::npos);  // no event handler attribute
      continue;
    }
    EXPECT_EQ(svg.find(forbidden), std::string::npos) << forbidden;
  }
  EXPECT_EQ(svg.substr(svg.size() - 6), "</svg>");
  EXPECT_LT(svg.size(), 12000U) << "a TOTP URI should stay a few kilobytes";
}

// The path, painted back onto a grid, must cover exactly the dark modules, offset by the quiet
// zone, and nothing twice.
TEST(QrSvgTest, PathCoversExactlyTheDarkModules) {
  for (int quiet_zone : {0, 1, 4}) {
    const qr_code code = encode_or_fail(filler(60), {.level = qr_ecc::high});
    const std::string svg = to_svg(code, quiet_zone);
    const int extent = code.size() + 2 * quiet_zone;
    std::vector<int> painted(static_cast<std::size_t>(extent * extent), 0);
    const std::string d = svg.substr(svg.find(" d=\"") + 4);
    const std::regex run(R"(M(\d+) (\d+)h(\d+)v1h-(\d+)z)");
    std::size_t consumed = 0;
    for (auto it = std::sregex_iterator(d.begin(), d.end(), run); it != std::sregex_iterator();
         ++it) {
      ASSERT_EQ(static_cast<std::size_t>(it->position()), consumed) << "unexpected path text";
      consumed += static_cast<std::size_t>(it->length());
      const int x = std::stoi((*it)[1]);
      const int y = std::stoi((*it)[2]);
      const int length = std::stoi((*it)[3]);
      ASSERT_EQ(length, std::stoi((*it)[4]));
      for (int k = 0; k < length; ++k) {
        ASSERT_LT(x + k, extent);
        ++painted[static_cast<std::size_t>(y * extent + x + k)];
      }
    }
    EXPECT_EQ(d.substr(consumed), R"("/></svg>)");
    for (int y = 0; y < extent; ++y) {
      for (int x = 0; x < extent; ++x) {
        SCOPED_TRACE(testing::Message() << "quiet zone " << quiet_zone << " at " << x << "," << y);
        EXPECT_EQ(painted[static_cast<std::size_t>(y * extent + x)],
                  code.module(x - quiet_zone, y - quiet_zone) ? 1 : 0);
      }
    }
  }
}

TEST(QrSvgTest, QuietZoneIsClamped) {
  const qr_code code = encode_or_fail("A", {});
  EXPECT_NE(to_svg(code, -5).find(R"(viewBox="0 0 21 21")"), std::string::npos);
  EXPECT_NE(to_svg(code, 1 << 30).find(R"(viewBox="0 0 149 149")"), std::string::npos);
}

// ---------------------------------------------------------------------------------------------
// Independent tools.

struct decode_case {
  std::string name;
  std::string text;
  qr_options options;
  int min_expected_version = 1;
};

// Renders each case with to_svg, rasterises it with rsvg-convert and reads it with zbarimg.
TEST(QrInteropTest, ZbarReadsTheRenderedSvg) {
  ASSERT_TRUE(have_tool("command -v rsvg-convert", "rsvg-convert", "librsvg2-bin"));
  ASSERT_TRUE(have_tool("command -v zbarimg", "zbarimg", "zbar-tools"));
  scratch_dir dir;
  ASSERT_TRUE(dir.ok());

  std::vector<decode_case> cases;
  for (qr_ecc level : all_levels) {
    cases.push_back({std::string("otpauth URI, level ") + letter(level),
                     std::string(otpauth_uri),
                     {.level = level}});
  }
  for (int mask = 0; mask < 8; ++mask) {
    cases.push_back({"otpauth URI, mask " + std::to_string(mask),
                     std::string(otpauth_uri),
                     {.level = qr_ecc::quartile, .mask = mask}});
  }
  cases.push_back({"UTF-8", "Grüße aus Zürich — 東京 ✓ ключ", {}});
  cases.push_back({"one character", "A", {}});
  cases.push_back({"version 7",
                   filler(qr_byte_capacity(6, qr_ecc::medium) + 1, 1),
                   {.level = qr_ecc::medium},
                   7});
  cases.push_back(
      {"version 25", filler(qr_byte_capacity(24, qr_ecc::low) + 1, 2), {.level = qr_ecc::low}, 25});
  cases.push_back({"version 25, level H",
                   filler(qr_byte_capacity(24, qr_ecc::high) + 1, 4),
                   {.level = qr_ecc::high},
                   25});
  cases.push_back({"version 40, level H, full",
                   filler(qr_byte_capacity(40, qr_ecc::high), 6),
                   {.level = qr_ecc::high},
                   40});

  for (const decode_case& c : cases) {
    SCOPED_TRACE(c.name);
    const qr_code code = encode_or_fail(c.text, c.options);
    EXPECT_GE(code.version(), c.min_expected_version);
    // Four pixels per module: enough for zbar, small enough to stay quick.
    EXPECT_EQ(zbar_read(dir, to_svg(code), (code.size() + 8) * 4), c.text)
        << "version " << code.version() << " mask " << code.mask();
  }
}

// python-qrcode, given the same version, level and mask, must build the same matrix, module for
// module: every version, every level, full and partly filled symbols, arbitrary bytes.
TEST(QrInteropTest, MatchesPythonQrcodeModuleForModule) {
  ASSERT_TRUE(
      have_tool(std::string(python) + " -c 'import qrcode'", "python-qrcode", "python3-qrcode"));
  scratch_dir dir;
  ASSERT_TRUE(dir.ok());

  std::vector<qr_code> codes;
  std::ostringstream batch;
  auto add = [&](const std::string& text, const qr_options& options) {
    codes.push_back(encode_or_fail(text, options));
    const qr_code& code = codes.back();
    batch << code.version() << ' ' << letter(code.level()) << ' ' << code.mask() << ' ' << hex(text)
          << '\n';
  };
  for (int version = 1; version <= 40; ++version) {
    for (std::size_t i = 0; i < all_levels.size(); ++i) {
      const qr_ecc level = all_levels[i];
      const std::size_t capacity = qr_byte_capacity(version, level);
      // Alternate full symbols (no terminator room) and partly filled ones (pad codewords).
      const std::size_t length =
          (version + static_cast<int>(i)) % 2 == 0 ? capacity : capacity * 2 / 3;
      const int mask = (version + static_cast<int>(i)) % 8;
      add(arbitrary_bytes(length, version), {.level = level, .min_version = version, .mask = mask});
    }
  }
  for (qr_ecc level : all_levels) {
    add(std::string(otpauth_uri), {.level = level});  // the encoder's own choice of mask
  }

  const command_output out =
      run_command(std::string(python) + " '" + dir.file("qr.py", python_qrcode_script) + "' '" +
                  dir.file("cases.txt", batch.str()) + "'");
  ASSERT_EQ(out.status, 0);
  std::istringstream lines(out.out);
  for (const qr_code& code : codes) {
    SCOPED_TRACE(testing::Message() << "version " << code.version() << " level "
                                    << letter(code.level()) << " mask " << code.mask());
    std::string expected;
    ASSERT_TRUE(std::getline(lines, expected));
    std::string actual;
    for (bool dark : modules_of(code)) {
      actual += dark ? '1' : '0';
    }
    ASSERT_EQ(actual.size(), expected.size());
    const auto mismatch = std::mismatch(actual.begin(), actual.end(), expected.begin());
    EXPECT_EQ(mismatch.first, actual.end())
        << "first difference at x " << (mismatch.first - actual.begin()) % code.size() << " y "
        << (mismatch.first - actual.begin()) / code.size();
  }
}

// python-qrcode's data capacity per version and level, from its own block tables.
TEST(QrInteropTest, CapacityMatchesPythonQrcodeTables) {
  ASSERT_TRUE(
      have_tool(std::string(python) + " -c 'import qrcode'", "python-qrcode", "python3-qrcode"));
  const command_output out = run_command(
      std::string(python) +
      " -c 'from qrcode import constants as c, util\n"
      "for e in (c.ERROR_CORRECT_L, c.ERROR_CORRECT_M, c.ERROR_CORRECT_Q, c.ERROR_CORRECT_H):\n"
      "    print(*util.BIT_LIMIT_TABLE[e][1:])'");
  ASSERT_EQ(out.status, 0);
  std::istringstream numbers(out.out);
  for (qr_ecc level : all_levels) {
    for (int version = 1; version <= 40; ++version) {
      int data_bits = 0;
      ASSERT_TRUE(numbers >> data_bits);
      const int header_bits = 4 + (version <= 9 ? 8 : 16);  // mode + character count (Table 3)
      EXPECT_EQ(qr_byte_capacity(version, level),
                static_cast<std::size_t>((data_bits - header_bits) / 8))
          << "level " << letter(level) << " version " << version;
    }
  }
}

}  // namespace
}  // namespace authpp::pages
