// Produces Hugging Face's fast-tokenizer results for any texts, to compare this library with on more text than the
// fixtures carry. It drives the same Rust core the fixtures were generated with (npm `tokenizers` 0.23.2) the way
// transformers 4.37.2's PreTrainedTokenizerFast does (ids with special tokens; decode + clean_up_tokenization, and
// for CLIP the CLIPTokenizerFast wrapper: "</w>" -> " ", then strip).
//
//   npm install tokenizers@0.23.2            (in a scratch folder; not a dependency of the repository)
//   NODE_PATH=<scratch>/node_modules node rust-reference.js <tokenizer.json> <clip|xlmr> <texts.jsonl> <out.jsonl>
//
// texts.jsonl holds one {"text": "..."} per line; out.jsonl gets {"text", "ids", "decoded", "decoded_skip_special"}
// per line, the fields of tests/fixtures/tokenizers/*/expected.jsonl. Compare with ITextTokenizer.Encode/Decode.
const { Tokenizer } = require('tokenizers');
const fs = require('fs');

const cleanUp = s => [[' .', '.'], [' ?', '?'], [' !', '!'], [' ,', ','], [" ' ", "'"], [" n't", "n't"], [" 'm", "'m"],
  [" 's", "'s"], [" 've", "'ve"], [" 're", "'re"]].reduce((t, [a, b]) => t.split(a).join(b), s);
const pythonSpace = '[\\t\\n\\x0b\\x0c\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]';
const pythonStrip = s => s.replace(new RegExp(`^${pythonSpace}+|${pythonSpace}+$`, 'g'), '');

(async () => {
  const [tokenizerJson, kind, input, output] = process.argv.slice(2);
  const tokenizer = Tokenizer.fromFile(tokenizerJson);
  const lines = fs.readFileSync(input, 'utf8').split('\n').filter(l => l.length);
  const results = [];
  for (const line of lines) {
    const text = JSON.parse(line).text;
    const ids = (await tokenizer.encode(text)).getIds();
    let decoded = await tokenizer.decode(ids, false);
    let skipped = await tokenizer.decode(ids, true);
    if (kind === 'clip') {
      decoded = pythonStrip(decoded.split('</w>').join(' '));
      skipped = pythonStrip(skipped.split('</w>').join(' '));
    }
    results.push(JSON.stringify({ text, ids, decoded: cleanUp(decoded), decoded_skip_special: cleanUp(skipped) }));
  }
  fs.writeFileSync(output, results.join('\n') + '\n');
})();
