// formatTable renders the scenario × combination table printed by clients.test.mjs, followed by
// the expected and actual values of every mismatch.
export function formatTable(scenarios, combinations, cells, expected = {}) {
  const mark = (c, s) => cells[c]?.[s]?.mark ?? "— (not run)";
  const widths = [Math.max(...scenarios.map((s) => s.length), 8),
    ...combinations.map((c) => Math.max(c.length, ...scenarios.map((s) => mark(c, s).length)))];
  const row = (values) => "| " + values.map((v, i) => v.padEnd(widths[i])).join(" | ") + " |";
  const lines = [row(["scenario", ...combinations]), "|" + widths.map((w) => "-".repeat(w + 2)).join("|") + "|"];
  for (const s of scenarios) lines.push(row([s, ...combinations.map((c) => mark(c, s))]));
  lines.push("", "expected values (recorded from next-auth/react × Auth.js, normalised):");
  for (const s of scenarios) lines.push(`  ${s}: ${JSON.stringify(expected[s])}`);
  for (const c of combinations) {
    for (const s of scenarios) {
      if (cells[c]?.[s]?.detail) lines.push(`✗ ${c} / ${s}:\n      ${cells[c][s].detail}`);
    }
  }
  return "\n" + lines.join("\n") + "\n";
}
