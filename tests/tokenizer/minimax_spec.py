"""What the MiniMax-M2 tokenizer.json declares, for building test tokenizers
that mirror it: the pre-tokenizer regex (MODEL.md 6.1) and the 54 special
tokens at ids 200000..200053. Names at ids given in MODEL.md 6.1 are taken
from there; the other code-data markers (200007..200017, 200027..200032,
200036..200048) are the usual StarCoder-style names and stand in for the
real ones (only their ids, lengths and characters matter to the tests)."""

PATTERN = (r"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?"
           r"|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?"
           r"|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+")

SPECIAL = [
    "]!p~[", "<fim_prefix>", "<fim_middle>", "<fim_suffix>", "<fim_pad>", "<reponame>", "<filename>",
    "<gh_stars>", "<issue_start>", "<issue_comment>", "<issue_closed>", "<jupyter_start>", "<jupyter_text>",
    "<jupyter_code>", "<jupyter_output>", "<empty_output>", "<commit_before>", "<commit_msg>", "<commit_after>",
    "]~b]", "[e~[", "]!d~[", "<function_call>", "<code_interpreter>",
    "]<]speech[>[", "]<]image[>[", "]<]video[>[", "]<]start of speech[>[", "]<]end of speech[>[",
    "]<]start of image[>[", "]<]end of image[>[", "]<]start of video[>[", "]<]end of video[>[", "]<]vision pad[>[",
    "]~!b[", "<jupyter_error>", "<add_file>", "<delete_file>", "<rename_file>", "<edit_file>", "<commit_message>",
    "<empty_source_file>", "<repo_struct>", "<code_context>", "<file_content>", "<source_files>", "<pr_start>",
    "<review_comment>", "<filepath>", "<file_sep>", "<think>", "</think>", "<minimax:tool_call>", "</minimax:tool_call>",
]
assert len(SPECIAL) == 54 and SPECIAL[19] == "]~b]" and SPECIAL[20] == "[e~[" and SPECIAL[34] == "]~!b["
assert SPECIAL[50] == "<think>" and SPECIAL[53] == "</minimax:tool_call>"
FIRST_SPECIAL_ID = 200000
