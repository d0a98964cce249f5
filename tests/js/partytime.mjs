// Parse a feed file with podcast-partytime (the Podcast Index parser) and print the result as JSON.
// Usage: PARTYTIME_LOG=silent node tests/js/partytime.mjs public/feed.xml
// Prints `null` when partytime rejects the feed (it returns null for XML that is not well-formed).
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const { parseFeed } = require("podcast-partytime");

const path = process.argv[2];
if (!path) {
  process.stderr.write("usage: node partytime.mjs FEED\n");
  process.exit(2);
}
// As an aggregator does with fetch().text(): the bytes decoded as UTF-8.
const xml = readFileSync(path, "utf8");
const feed = parseFeed(xml, { allowMissingGuid: false });
process.stdout.write(JSON.stringify(feed, (key, value) => (value instanceof Set ? [...value] : value)));
