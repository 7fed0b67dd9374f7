#include <authpp/http/html.hpp>
#include <authpp/pages/qr.hpp>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

// A QR code encoder written from ISO/IEC 18004:2015. Section numbers below refer to it. Only
// byte mode is implemented: an otpauth URI has lower-case letters, so the alphanumeric and
// numeric modes would not shorten it.
namespace authpp::pages {
namespace {

constexpr int first_version = 1;
constexpr int last_version = 40;
constexpr int mask_count = 8;

int level_index(qr_ecc level) { return static_cast<int>(level); }

// ---------------------------------------------------------------------------------------------
// Capacity (§7.5.1, Table 9). Rows are indexed by level in enum order (L, M, Q, H), columns by
// version - 1.

// Error correction codewords in each block.
constexpr std::array<std::array<std::uint8_t, 40>, 4> ecc_codewords_per_block = {{
    {7,  10, 15, 20, 26, 18, 20, 24, 30, 18, 20, 24, 26, 30, 22, 24, 28, 30, 28, 28,
     28, 28, 30, 30, 26, 28, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30},
    {10, 16, 26, 18, 24, 16, 18, 22, 22, 26, 30, 22, 22, 24, 24, 28, 28, 26, 26, 26,
     26, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28},
    {13, 22, 18, 26, 18, 24, 18, 22, 20, 24, 28, 26, 24, 20, 30, 24, 28, 28, 26, 30,
     28, 30, 30, 30, 30, 28, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30},
    {17, 28, 22, 16, 22, 28, 26, 26, 24, 28, 24, 28, 22, 24, 24, 30, 28, 28, 26, 28,
     30, 24, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30},
}};

// Error correction blocks the codewords are split into.
constexpr std::array<std::array<std::uint8_t, 40>, 4> block_count = {{
    {1, 1, 1, 1,  1,  2,  2,  2,  2,  4,  4,  4,  4,  4,  6,  6,  6,  6,  7,  8,
     8, 9, 9, 10, 12, 12, 12, 13, 14, 15, 16, 17, 18, 19, 19, 20, 21, 22, 24, 25},
    {1,  1,  1,  2,  2,  4,  4,  4,  5,  5,  5,  8,  9,  9,  10, 10, 11, 13, 14, 16,
     17, 17, 18, 20, 21, 23, 25, 26, 28, 29, 31, 33, 35, 37, 38, 40, 43, 45, 47, 49},
    {1,  1,  2,  2,  4,  4,  6,  6,  8,  8,  8,  10, 12, 16, 12, 17, 16, 18, 21, 20,
     23, 23, 25, 27, 29, 34, 34, 35, 38, 40, 43, 45, 48, 51, 53, 56, 59, 62, 65, 68},
    {1,  1,  2,  4,  4,  4,  5,  6,  8,  8,  11, 11, 16, 16, 18, 16, 19, 21, 25, 25,
     25, 34, 30, 32, 35, 37, 40, 42, 45, 48, 51, 54, 57, 60, 63, 66, 70, 74, 77, 81},
}};

int symbol_size(int version) { return 17 + 4 * version; }

// alignment_positions returns the row/column coordinates of the alignment pattern centres
// (Annex E): version / 7 + 2 of them from 6 to size - 7, spaced evenly from the last one
// backwards by an even step; the first gap takes the slack. The step is the distance rounded up
// to an even number, except in version 32, where Table E.1 uses 26 instead of 28.
std::vector<int> alignment_positions(int version) {
  if (version == 1) {
    return {};
  }
  const int count = version / 7 + 2;
  const int last = symbol_size(version) - 7;
  const int span = last - 6;
  int step = (span + count - 2) / (count - 1);  // ceil(span / (count - 1))
  step += step % 2;
  if (version == 32) {
    step = 26;
  }
  std::vector<int> positions(static_cast<std::size_t>(count));
  positions[0] = 6;
  for (int i = count - 1, at = last; i >= 1; --i, at -= step) {
    positions[static_cast<std::size_t>(i)] = at;
  }
  return positions;
}

// raw_data_modules counts the modules left for codewords once the function patterns are
// placed. Subtracted: three 8×8 finders with separators; the two timing lines between them;
// the alignment patterns (all but the three that would overlap finders, and those on the timing
// lines share 5 modules with them); 2 × 15 format bits and the dark module; 2 × 18 version bits.
int raw_data_modules(int version) {
  const int size = symbol_size(version);
  int modules = size * size - 3 * 64 - 2 * (size - 16) - 31;
  if (version >= 2) {
    const int count = version / 7 + 2;
    modules -= 25 * (count * count - 3) - 5 * 2 * (count - 2);
  }
  if (version >= 7) {
    modules -= 36;
  }
  return modules;
}

struct block_layout {
  int blocks;
  int ecc_per_block;
  int total_codewords;  // data + error correction, all blocks
  int data_codewords;   // all blocks
};

block_layout layout_of(int version, qr_ecc level) {
  const auto row = static_cast<std::size_t>(level_index(level));
  const auto column = static_cast<std::size_t>(version - 1);
  block_layout out{};
  out.blocks = block_count[row][column];
  out.ecc_per_block = ecc_codewords_per_block[row][column];
  out.total_codewords = raw_data_modules(version) / 8;  // the rest are remainder bits (§7.7.3)
  out.data_codewords = out.total_codewords - out.blocks * out.ecc_per_block;
  return out;
}

// Byte mode's character count field is 8 bits up to version 9, 16 bits above (Table 3).
int count_bits(int version) { return version <= 9 ? 8 : 16; }
constexpr int mode_bits = 4;
constexpr std::uint32_t byte_mode_indicator = 0b0100;

// ---------------------------------------------------------------------------------------------
// Reed-Solomon over GF(2^8) with the field polynomial x^8 + x^4 + x^3 + x^2 + 1 (§7.5.2).

struct galois_field {
  std::array<std::uint8_t, 256> exp{};  // exp[i] = α^i, for i < 255
  std::array<std::uint8_t, 256> log{};  // log[α^i] = i; log[0] is unused

  constexpr galois_field() {
    unsigned value = 1;
    for (unsigned i = 0; i < 255; ++i) {
      exp[i] = static_cast<std::uint8_t>(value);
      log[value] = static_cast<std::uint8_t>(i);
      value <<= 1;
      if (value & 0x100) {
        value ^= 0x11D;
      }
    }
  }

  constexpr std::uint8_t multiply(std::uint8_t a, std::uint8_t b) const {
    if (a == 0 || b == 0) {
      return 0;
    }
    return exp[(log[a] + log[b]) % 255];
  }
};

constexpr galois_field gf{};

// generator_polynomial returns the coefficients of (x - α^0)(x - α^1)…(x - α^(degree-1)),
// highest power first; the leading coefficient is 1.
std::vector<std::uint8_t> generator_polynomial(int degree) {
  std::vector<std::uint8_t> poly{1};
  for (int i = 0; i < degree; ++i) {
    const std::uint8_t root = gf.exp[static_cast<std::size_t>(i)];
    std::vector<std::uint8_t> next(poly.size() + 1, 0);
    for (std::size_t k = 0; k < poly.size(); ++k) {
      next[k] ^= poly[k];                         // x · poly
      next[k + 1] ^= gf.multiply(poly[k], root);  // root · poly (minus is plus in GF(2^8))
    }
    poly = std::move(next);
  }
  return poly;
}

// ecc_codewords returns the remainder of data(x) · x^degree divided by the generator.
std::vector<std::uint8_t> ecc_codewords(const std::vector<std::uint8_t>& data,
                                        const std::vector<std::uint8_t>& generator) {
  const std::size_t degree = generator.size() - 1;
  std::vector<std::uint8_t> remainder(degree, 0);
  for (std::uint8_t byte : data) {
    const std::uint8_t factor = byte ^ remainder.front();
    std::rotate(remainder.begin(), remainder.begin() + 1, remainder.end());
    remainder.back() = 0;
    for (std::size_t k = 0; k < degree; ++k) {
      remainder[k] ^= gf.multiply(generator[k + 1], factor);
    }
  }
  return remainder;
}

// ---------------------------------------------------------------------------------------------
// Codewords: the data bit stream (§7.4), split into blocks, error correction added, and the
// blocks interleaved (§7.6).

class bit_writer {
 public:
  void put(std::uint32_t value, int bits) {
    for (int i = bits - 1; i >= 0; --i) {
      bits_.push_back(((value >> i) & 1) != 0);
    }
  }
  std::size_t size() const { return bits_.size(); }

  // to_codewords packs the bits, most significant first; size() must be a multiple of 8.
  std::vector<std::uint8_t> to_codewords() const {
    std::vector<std::uint8_t> out(bits_.size() / 8, 0);
    for (std::size_t i = 0; i < bits_.size(); ++i) {
      if (bits_[i]) {
        out[i / 8] |= static_cast<std::uint8_t>(0x80U >> (i % 8));
      }
    }
    return out;
  }

 private:
  std::vector<bool> bits_;
};

// data_codewords returns the byte-mode segment, terminator, bit padding and pad codewords that
// fill exactly `layout.data_codewords`. The caller has checked that `text` fits.
std::vector<std::uint8_t> data_codewords(std::string_view text, int version,
                                         const block_layout& layout) {
  const auto capacity_bits = static_cast<std::size_t>(layout.data_codewords) * 8;
  bit_writer bits;
  bits.put(byte_mode_indicator, mode_bits);
  bits.put(static_cast<std::uint32_t>(text.size()), count_bits(version));
  for (char c : text) {
    bits.put(static_cast<unsigned char>(c), 8);
  }
  // The terminator is up to four zero bits, fewer when the symbol is full (§7.4.9).
  bits.put(0, static_cast<int>(std::min<std::size_t>(4, capacity_bits - bits.size())));
  bits.put(0, static_cast<int>((8 - bits.size() % 8) % 8));
  // Then the pad codewords 11101100 and 00010001, alternately (§7.4.10).
  constexpr std::array<std::uint8_t, 2> pad_codewords = {0xEC, 0x11};
  std::vector<std::uint8_t> codewords = bits.to_codewords();
  for (std::size_t i = 0; codewords.size() < static_cast<std::size_t>(layout.data_codewords); ++i) {
    codewords.push_back(pad_codewords[i % 2]);
  }
  return codewords;
}

// interleaved_codewords splits the data into blocks (the shorter ones first, longer ones having
// one more data codeword), computes each block's error correction, and interleaves: the i-th
// data codeword of every block in turn, then the i-th error correction codeword (§7.6).
std::vector<std::uint8_t> interleaved_codewords(const std::vector<std::uint8_t>& data,
                                                const block_layout& layout) {
  const int long_blocks = layout.data_codewords % layout.blocks;
  const int short_length = layout.data_codewords / layout.blocks;
  const std::vector<std::uint8_t> generator = generator_polynomial(layout.ecc_per_block);

  std::vector<std::vector<std::uint8_t>> data_blocks;
  std::vector<std::vector<std::uint8_t>> ecc_blocks;
  auto next = data.begin();
  for (int b = 0; b < layout.blocks; ++b) {
    const int length = short_length + (b >= layout.blocks - long_blocks ? 1 : 0);
    data_blocks.emplace_back(next, next + length);
    next += length;
    ecc_blocks.push_back(ecc_codewords(data_blocks.back(), generator));
  }

  std::vector<std::uint8_t> out;
  out.reserve(static_cast<std::size_t>(layout.total_codewords));
  for (int i = 0; i <= short_length; ++i) {
    for (const auto& block : data_blocks) {
      if (static_cast<std::size_t>(i) < block.size()) {
        out.push_back(block[static_cast<std::size_t>(i)]);
      }
    }
  }
  for (int i = 0; i < layout.ecc_per_block; ++i) {
    for (const auto& block : ecc_blocks) {
      out.push_back(block[static_cast<std::size_t>(i)]);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// The module matrix.

class matrix {
 public:
  explicit matrix(int size)
      : size_(size),
        dark_(static_cast<std::size_t>(size * size), false),
        function_(static_cast<std::size_t>(size * size), false) {}

  int size() const { return size_; }
  bool dark(int x, int y) const { return dark_[index(x, y)]; }
  bool is_function(int x, int y) const { return function_[index(x, y)]; }

  // set_function places a module of a function pattern, which masking leaves alone.
  void set_function(int x, int y, bool dark) {
    dark_[index(x, y)] = dark;
    function_[index(x, y)] = true;
  }
  void set_data(int x, int y, bool dark) { dark_[index(x, y)] = dark; }
  void flip(int x, int y) { dark_[index(x, y)] = !dark_[index(x, y)]; }

  std::vector<bool> take_modules() && { return std::move(dark_); }

 private:
  std::size_t index(int x, int y) const { return static_cast<std::size_t>(y * size_ + x); }

  int size_;
  std::vector<bool> dark_;
  std::vector<bool> function_;
};

// BCH codes protect the format and version information (Annex C, Annex D): the data bits
// followed by the remainder of data(x) · x^check_bits divided by `generator`.
std::uint32_t bch_code(std::uint32_t data, std::uint32_t generator, int data_bits, int check_bits) {
  std::uint32_t remainder = data << check_bits;
  for (int bit = data_bits + check_bits - 1; bit >= check_bits; --bit) {
    if ((remainder >> bit) & 1) {
      remainder ^= generator << (bit - check_bits);
    }
  }
  return (data << check_bits) | remainder;
}

// Format information: 2 level bits (L 01, M 00, Q 11, H 10), 3 mask bits, BCH(15,5), XORed
// with 101010000010010 so that it is never all zeros (§7.9.1).
std::uint32_t format_bits(qr_ecc level, int mask) {
  constexpr std::array<std::uint32_t, 4> level_bits = {0b01, 0b00, 0b11, 0b10};
  const std::uint32_t data = (level_bits[static_cast<std::size_t>(level_index(level))] << 3) |
                             static_cast<std::uint32_t>(mask);
  return bch_code(data, 0b10100110111, 5, 10) ^ 0b101010000010010;
}

bool bit_of(std::uint32_t value, int bit) { return ((value >> bit) & 1) != 0; }

// draw_format places both copies of the format information (§7.9.1, Figure 25). Bit 0 is the
// least significant bit.
void draw_format(matrix& m, qr_ecc level, int mask) {
  const std::uint32_t bits = format_bits(level, mask);
  const int size = m.size();
  // Around the top-left finder: up column 8, then left along row 8, skipping the timing lines.
  for (int i = 0; i <= 5; ++i) {
    m.set_function(8, i, bit_of(bits, i));
  }
  m.set_function(8, 7, bit_of(bits, 6));
  m.set_function(8, 8, bit_of(bits, 7));
  m.set_function(7, 8, bit_of(bits, 8));
  for (int i = 9; i <= 14; ++i) {
    m.set_function(14 - i, 8, bit_of(bits, i));
  }
  // The second copy: bits 0-7 along row 8 under the top-right finder, from the right edge;
  // bits 8-14 down column 8 beside the bottom-left finder.
  for (int i = 0; i <= 7; ++i) {
    m.set_function(size - 1 - i, 8, bit_of(bits, i));
  }
  for (int i = 8; i <= 14; ++i) {
    m.set_function(8, size - 15 + i, bit_of(bits, i));
  }
  m.set_function(8, size - 8, true);  // the dark module (§7.9.1)
}

// draw_version places the two 6×3 version information blocks from version 7 on: 6 version bits
// and BCH(18,6) with generator x^12 + x^11 + x^10 + x^9 + x^8 + x^5 + x^2 + 1 (§7.10, Annex D).
void draw_version(matrix& m, int version) {
  if (version < 7) {
    return;
  }
  const std::uint32_t bits = bch_code(static_cast<std::uint32_t>(version), 0b1111100100101, 6, 12);
  const int near_edge = m.size() - 11;
  for (int i = 0; i < 18; ++i) {
    const bool dark = bit_of(bits, i);
    m.set_function(i / 3, near_edge + i % 3, dark);  // bottom-left, above the finder
    m.set_function(near_edge + i % 3, i / 3, dark);  // top-right, left of the finder
  }
}

// draw_finder places a 7×7 finder centred on (cx, cy) with its light separator ring, clipped to
// the symbol (§7.3.2, §7.3.3).
void draw_finder(matrix& m, int cx, int cy) {
  for (int dy = -4; dy <= 4; ++dy) {
    for (int dx = -4; dx <= 4; ++dx) {
      const int x = cx + dx;
      const int y = cy + dy;
      if (x < 0 || y < 0 || x >= m.size() || y >= m.size()) {
        continue;
      }
      const int ring = std::max(std::abs(dx), std::abs(dy));
      m.set_function(x, y, ring != 2 && ring != 4);
    }
  }
}

// draw_alignment places a 5×5 alignment pattern centred on (cx, cy) (§7.3.5).
void draw_alignment(matrix& m, int cx, int cy) {
  for (int dy = -2; dy <= 2; ++dy) {
    for (int dx = -2; dx <= 2; ++dx) {
      m.set_function(cx + dx, cy + dy, std::max(std::abs(dx), std::abs(dy)) != 1);
    }
  }
}

// draw_function_patterns places everything but the data: finders, timing lines, alignment
// patterns, version information, and reserves the format areas (written once a mask is chosen).
void draw_function_patterns(matrix& m, int version) {
  const int size = m.size();
  for (int i = 0; i < size; ++i) {  // timing lines (§7.3.4); finders overwrite their ends
    m.set_function(6, i, i % 2 == 0);
    m.set_function(i, 6, i % 2 == 0);
  }
  draw_finder(m, 3, 3);
  draw_finder(m, size - 4, 3);
  draw_finder(m, 3, size - 4);

  const std::vector<int> centres = alignment_positions(version);
  const int last = static_cast<int>(centres.size()) - 1;
  for (int i = 0; i <= last; ++i) {
    for (int j = 0; j <= last; ++j) {
      const bool on_finder = (i == 0 && j == 0) || (i == 0 && j == last) || (i == last && j == 0);
      if (!on_finder) {
        draw_alignment(m, centres[static_cast<std::size_t>(i)],
                       centres[static_cast<std::size_t>(j)]);
      }
    }
  }
  draw_format(m, qr_ecc::medium, 0);  // reserves the area; the real bits come later
  draw_version(m, version);
}

// place_codewords fills the non-function modules in the zigzag order of §7.7.3: two-module-wide
// columns from the right edge, alternately upwards and downwards, skipping the vertical timing
// line. Modules left over are remainder bits, which stay light (zero) before masking.
void place_codewords(matrix& m, const std::vector<std::uint8_t>& codewords) {
  const std::size_t total_bits = codewords.size() * 8;
  std::size_t next_bit = 0;
  bool upward = true;
  for (int right = m.size() - 1; right >= 1; right -= 2) {
    if (right == 6) {
      right = 5;
    }
    for (int step = 0; step < m.size(); ++step) {
      const int y = upward ? m.size() - 1 - step : step;
      for (int x = right; x >= right - 1; --x) {
        if (m.is_function(x, y) || next_bit == total_bits) {
          continue;
        }
        m.set_data(x, y, ((codewords[next_bit / 8] >> (7 - next_bit % 8)) & 1) != 0);
        ++next_bit;
      }
    }
    upward = !upward;
  }
}

// mask_condition is true where data mask `mask` flips a module at row i, column j (Table 10).
bool mask_condition(int mask, int i, int j) {
  switch (mask) {
    case 0:
      return (i + j) % 2 == 0;
    case 1:
      return i % 2 == 0;
    case 2:
      return j % 3 == 0;
    case 3:
      return (i + j) % 3 == 0;
    case 4:
      return (i / 2 + j / 3) % 2 == 0;
    case 5:
      return (i * j) % 2 + (i * j) % 3 == 0;
    case 6:
      return ((i * j) % 2 + (i * j) % 3) % 2 == 0;
    default:
      return ((i + j) % 2 + (i * j) % 3) % 2 == 0;
  }
}

void apply_mask(matrix& m, int mask) {
  for (int y = 0; y < m.size(); ++y) {
    for (int x = 0; x < m.size(); ++x) {
      if (!m.is_function(x, y) && mask_condition(mask, y, x)) {
        m.flip(x, y);
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Mask evaluation (§7.8.3, Table 11). Lower is better.

// line_penalty scores one row or column (`at(k)` reads its k-th module) for features 1 and 3:
// runs of five or more same-colour modules (N1 = 3, plus 1 per extra module), and each
// 1:1:3:1:1 finder-like pattern with four light modules on one side (N3 = 40). The four light
// modules must lie inside the symbol: the quiet zone does not count.
template <class At>
int line_penalty(int size, At at) {
  int score = 0;
  int run = 0;
  for (int k = 0; k < size; ++k) {
    run = (k > 0 && at(k) == at(k - 1)) ? run + 1 : 1;
    if (run == 5) {
      score += 3;
    } else if (run > 5) {
      score += 1;
    }
  }
  constexpr std::array<bool, 11> finder_then_light = {true, false, true,  true,  true, false,
                                                      true, false, false, false, false};
  for (int k = 0; k + 11 <= size; ++k) {
    bool forward = true;
    bool backward = true;
    for (int t = 0; t < 11; ++t) {
      forward = forward && at(k + t) == finder_then_light[static_cast<std::size_t>(t)];
      backward = backward && at(k + t) == finder_then_light[static_cast<std::size_t>(10 - t)];
    }
    score += (forward ? 40 : 0) + (backward ? 40 : 0);
  }
  return score;
}

int penalty(const matrix& m) {
  const int size = m.size();
  int score = 0;
  int dark_count = 0;
  for (int i = 0; i < size; ++i) {
    score += line_penalty(size, [&](int k) { return m.dark(k, i); });
    score += line_penalty(size, [&](int k) { return m.dark(i, k); });
  }
  for (int y = 0; y < size; ++y) {
    for (int x = 0; x < size; ++x) {
      dark_count += m.dark(x, y) ? 1 : 0;
      // Feature 2: every 2×2 block of one colour (N2 = 3); overlapping blocks each count.
      if (x + 1 < size && y + 1 < size && m.dark(x, y) == m.dark(x + 1, y) &&
          m.dark(x, y) == m.dark(x, y + 1) && m.dark(x, y) == m.dark(x + 1, y + 1)) {
        score += 3;
      }
    }
  }
  // Feature 4: N4 = 10 for each full 5% step the dark share lies outside 45%..55%.
  const int total = size * size;
  const int deviation = std::abs(dark_count * 20 - total * 10);  // |dark% - 50| × total / 5
  const int steps = deviation == 0 ? 0 : (deviation - 1) / total;
  return score + 10 * steps;
}

// masked_symbol returns `base` with data mask `mask` applied and its format information.
matrix masked_symbol(const matrix& base, qr_ecc level, int mask) {
  matrix m = base;
  apply_mask(m, mask);
  draw_format(m, level, mask);
  return m;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Public API.

qr_code::qr_code(int version, qr_ecc level, int mask, std::vector<bool> dark)
    : version_(version),
      size_(symbol_size(version)),
      level_(level),
      mask_(mask),
      dark_(std::move(dark)) {}

bool qr_code::module(int x, int y) const noexcept {
  if (x < 0 || y < 0 || x >= size_ || y >= size_) {
    return false;
  }
  return dark_[static_cast<std::size_t>(y * size_ + x)];
}

std::size_t qr_byte_capacity(int version, qr_ecc level) noexcept {
  if (version < first_version || version > last_version) {
    return 0;
  }
  const int bits = layout_of(version, level).data_codewords * 8 - mode_bits - count_bits(version);
  return static_cast<std::size_t>(bits / 8);
}

result<qr_code> encode_qr(std::string_view text, const qr_options& options) {
  if (options.min_version < first_version || options.min_version > last_version) {
    return auth_error{errc::malformed_input,
                      "QR min_version must be 1..40, not " + std::to_string(options.min_version)};
  }
  if (options.mask && (*options.mask < 0 || *options.mask >= mask_count)) {
    return auth_error{errc::malformed_input,
                      "QR mask must be 0..7, not " + std::to_string(*options.mask)};
  }
  int version = options.min_version;
  while (version <= last_version && text.size() > qr_byte_capacity(version, options.level)) {
    ++version;
  }
  if (version > last_version) {
    constexpr std::array<char, 4> level_names = {'L', 'M', 'Q', 'H'};
    return auth_error{
        errc::limit_exceeded,
        "text of " + std::to_string(text.size()) + " bytes does not fit in a QR code at level " +
            level_names[static_cast<std::size_t>(level_index(options.level))] +
            " (version 40 holds " + std::to_string(qr_byte_capacity(last_version, options.level)) +
            " bytes)"};
  }

  const block_layout layout = layout_of(version, options.level);
  matrix base(symbol_size(version));
  draw_function_patterns(base, version);
  place_codewords(base, interleaved_codewords(data_codewords(text, version, layout), layout));

  int best_mask = options.mask.value_or(0);
  if (!options.mask) {
    int best_score = penalty(masked_symbol(base, options.level, 0));
    for (int mask = 1; mask < mask_count; ++mask) {
      const int score = penalty(masked_symbol(base, options.level, mask));
      if (score < best_score) {
        best_score = score;
        best_mask = mask;
      }
    }
  }
  return qr_code(version, options.level, best_mask,
                 std::move(masked_symbol(base, options.level, best_mask)).take_modules());
}

namespace {}  // namespace

std::string to_svg(const qr_code& code, int quiet_zone, std::string_view label) {
  const int margin = std::clamp(quiet_zone, 0, 64);
  const std::string extent = std::to_string(code.size() + 2 * margin);
  std::string out = R"(<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 )" + extent + " " +
                    extent + R"(" role="img" aria-label=")";
  out += http::escape_html(label);
  out += R"(" shape-rendering="crispEdges"><rect width=")" + extent + R"(" height=")" + extent +
         R"(" fill="#fff"/><path fill="#000" stroke="none" d=")";
  // stroke="none": a page's CSS for icon SVGs (a stroke) would otherwise blot the modules out.
  // One closed rectangle per horizontal run of dark modules: far fewer path commands than one
  // square per module, and no seams between neighbours.
  for (int y = 0; y < code.size(); ++y) {
    for (int x = 0; x < code.size();) {
      if (!code.module(x, y)) {
        ++x;
        continue;
      }
      const int start = x;
      while (x < code.size() && code.module(x, y)) {
        ++x;
      }
      const std::string run = std::to_string(x - start);
      out += 'M' + std::to_string(start + margin) + ' ' + std::to_string(y + margin) + 'h' + run +
             "v1h-" + run + 'z';
    }
  }
  out += R"("/></svg>)";
  return out;
}

}  // namespace authpp::pages
