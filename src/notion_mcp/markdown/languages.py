"""Fenced-code info strings → Notion's code language enum."""

from __future__ import annotations

NOTION_LANGUAGES = frozenset(
    """abap|abc|agda|arduino|ascii art|assembly|bash|basic|bnf|c|c#|c++|clojure|coffeescript|coq|css|dart|
dhall|diff|docker|ebnf|elixir|elm|erlang|f#|flow|fortran|gherkin|glsl|go|graphql|groovy|haskell|hcl|html|
idris|java|javascript|json|julia|kotlin|latex|less|lisp|livescript|llvm ir|lua|makefile|markdown|markup|
matlab|mathematica|mermaid|nix|notion formula|objective-c|ocaml|pascal|perl|php|plain text|powershell|
prolog|protobuf|purescript|python|r|racket|reason|ruby|rust|sass|scala|scheme|scss|shell|smalltalk|
solidity|sql|swift|toml|typescript|vb.net|verilog|vhdl|visual basic|webassembly|xml|yaml|
java/c/c++/c#""".replace("\n", "").split("|")
)

ALIASES = {
    "py": "python",
    "python3": "python",
    "js": "javascript",
    "jsx": "javascript",
    "mjs": "javascript",
    "node": "javascript",
    "ts": "typescript",
    "tsx": "typescript",
    "sh": "shell",
    "zsh": "shell",
    "console": "shell",
    "shell-session": "shell",
    "yml": "yaml",
    "cpp": "c++",
    "cxx": "c++",
    "hpp": "c++",
    "cc": "c++",
    "h": "c",
    "cs": "c#",
    "csharp": "c#",
    "fs": "f#",
    "fsharp": "f#",
    "rb": "ruby",
    "rs": "rust",
    "golang": "go",
    "kt": "kotlin",
    "kts": "kotlin",
    "objc": "objective-c",
    "md": "markdown",
    "tex": "latex",
    "dockerfile": "docker",
    "make": "makefile",
    "ps1": "powershell",
    "pwsh": "powershell",
    "text": "plain text",
    "txt": "plain text",
    "plaintext": "plain text",
    "plain": "plain text",
    "": "plain text",
    "proto": "protobuf",
    "hs": "haskell",
    "ex": "elixir",
    "exs": "elixir",
    "erl": "erlang",
    "clj": "clojure",
    "ml": "ocaml",
    "pl": "perl",
    "tf": "hcl",
    "terraform": "hcl",
    "vb": "visual basic",
    "wasm": "webassembly",
    "svg": "xml",
    "htm": "html",
    "jsonc": "json",
    "json5": "json",
    "patch": "diff",
    "gql": "graphql",
    "sol": "solidity",
    "asm": "assembly",
    "ll": "llvm ir",
    "coffee": "coffeescript",
    "scm": "scheme",
    "rkt": "racket",
    "jl": "julia",
    "m": "objective-c",
    "bat": "shell",
    "cmd": "shell",
    "ini": "toml",
    "vhd": "vhdl",
    "v": "verilog",
    "sv": "verilog",
    "mmd": "mermaid",
    "ascii": "ascii art",
}


def notion_language(info: str) -> str:
    """The Notion language for a fence's info string (first word; `plain_text` means `plain text`)."""
    word = (info.strip().split() or [""])[0].lower().replace("_", " ")
    if word in NOTION_LANGUAGES:
        return word
    return ALIASES.get(word, ALIASES.get(word.replace(" ", ""), "plain text"))
