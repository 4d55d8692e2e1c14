/**
 * `%START_TIME(...)%` formatting: Envoy's default (ISO 8601 UTC with milliseconds) and the
 * strftime subset its docs use (%Y %m %d %H %M %S %s %z %Z %j, %3f/%6f/%9f, %E3S/%E6S/%E9S).
 *
 * @module
 */

function pad(n: number, width = 2): string {
  return String(n).padStart(width, "0");
}

function fraction(ms: number, digits: number): string {
  return String(Math.floor(ms % 1000)).padStart(3, "0").padEnd(digits, "0").slice(0, digits);
}

/** Formats epoch milliseconds in UTC; `spec` undefined or empty = Envoy's default. */
export function formatTime(ms: number, spec?: string): string {
  const d = new Date(ms);
  if (spec === undefined || spec === "") return d.toISOString();
  const dayOfYear = Math.floor((ms - Date.UTC(d.getUTCFullYear(), 0, 1)) / 86_400_000) + 1;
  return spec.replace(/%(E?)(\d?)([A-Za-z%])/g, (all, e: string, digits: string, c: string) => {
    const n = digits === "" ? 0 : Number(digits);
    if (e === "E" && c === "S") return `${pad(d.getUTCSeconds())}.${fraction(ms, n)}`;
    if (c === "f") return fraction(ms, n || 9);
    switch (c) {
      case "Y":
        return String(d.getUTCFullYear());
      case "m":
        return pad(d.getUTCMonth() + 1);
      case "d":
        return pad(d.getUTCDate());
      case "H":
        return pad(d.getUTCHours());
      case "M":
        return pad(d.getUTCMinutes());
      case "S":
        return pad(d.getUTCSeconds());
      case "s":
        return String(Math.floor(ms / 1000));
      case "j":
        return pad(dayOfYear, 3);
      case "z":
        return "+0000";
      case "Z":
        return "UTC";
      case "%":
        return "%";
      default:
        return all;
    }
  });
}
