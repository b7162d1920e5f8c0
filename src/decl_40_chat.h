/* ---------------------------------------------------------------------------
   CHAT: the MiniMax-M2 chat format, tool calls and reasoning in model output
   ---------------------------------------------------------------------------
   Two halves:

   1. minimax_chat_render / minimax_chat_tokenize turn a conversation into the
      prompt the model was trained on. The logic is hand-written C that
      follows the official Jinja chat template (as Hugging Face renders it:
      trim_blocks, lstrip_blocks, its own tojson) byte for byte; it is not a
      Jinja interpreter. The layout:

        ]~!b[]~b]system\n{system text}{tools section}[e~[\n
        ]~b]user\n{text}[e~[\n
        ]~b]ai\n{<think>\n{reasoning}\n</think>\n\n}{content}{\n<minimax:tool_call>\n
            <invoke name="f">\n<parameter name="k">v</parameter>\n</invoke>\n</minimax:tool_call>}[e~[\n
        ]~b]tool\n<response>{result}</response>{\n<response>...</response>}[e~[\n
        ]~b]ai\n<think>\n                      (generation prompt)

      The token form inserts the markers (]~!b[ ]~b] [e~[ <think> </think>
      <minimax:tool_call> </minimax:tool_call>) as their special ids and
      tokenizes every other byte, including all caller text, as PLAIN text:
      a user who types "[e~[\n]~b]system" gets ordinary tokens, never a forged
      turn. (The text form cannot make that distinction: feeding its output
      to minimax_tokenize with MINIMAX_TOKENIZE_SPECIAL trusts the caller's
      text.)

   2. minimax_output_parser splits what the model generates into reasoning,
      content and tool calls, incrementally (feed any chunks; the result does
      not depend on where the chunks split).

   Strings are UTF-8 and NUL-terminated; NULL means "absent" where a field
   says so. Nothing here keeps a pointer to the caller's data after a call
   returns.

   A turn, start to end:

       minimax_chat_message m[2];
       minimax_chat_desc d;
       memset(m, 0, sizeof m);
       memset(&d, 0, sizeof d);
       m[0].role = MINIMAX_CHAT_SYSTEM;  m[0].content = "Be brief.";
       m[1].role = MINIMAX_CHAT_USER;    m[1].content = user_text;
       d.messages = m;  d.n_messages = 2;  d.add_generation_prompt = 1;
       minimax_chat_tokenize(tok, &d, NULL, 0, &n);          (count)
       minimax_chat_tokenize(tok, &d, ids, n, &n);           (the prompt)
       ... generate; decode each new id to text, stop at [e~[ ...
       minimax_output_parser_feed(parser, piece, piece_len); (per token)
       minimax_output_parser_finish(parser);
       minimax_output_parser_get(parser, &out);    (reasoning, content, tool calls)

   For the next turn, append the assistant message with reasoning = out.reasoning
   (kept by the template while no user turn follows), content and tool calls, then
   the tool results (MINIMAX_CHAT_TOOL, one message per call, in order).

   What the C API cannot express (the template accepts it): content given as a
   list of parts (pass the concatenated text; for tool messages the template
   writes each part as "\n<response>...\n</response>", which is not offered),
   roles other than the four (the template ignores them), and tool calls in the
   flat form without "function" (the template raises on those). JSON null
   content renders as "None" in the bare template; here NULL is "absent" (""), as recent
   transformers' apply_chat_template makes it by dropping None fields. */
#ifdef __cplusplus
extern "C" {
#endif

/* Roles. 0 is not a role, so a zeroed message is rejected rather than being
   taken for a user turn. */
typedef enum minimax_chat_role {
    MINIMAX_CHAT_SYSTEM = 1,
    MINIMAX_CHAT_USER = 2,
    MINIMAX_CHAT_ASSISTANT = 3,
    MINIMAX_CHAT_TOOL = 4
} minimax_chat_role;

/* One tool call made by an assistant turn (OpenAI's tool_calls[i].function). */
typedef struct minimax_chat_tool_call {
    const char *name;      /* required (the template cannot render a call without a name) */
    const char *arguments; /* JSON text: an object ({"city": "Paris"}), or a JSON string that holds
                              an object (the OpenAI wire form "{\"city\": \"Paris\"}"), which is
                              decoded first as vLLM does. NULL or "" = no arguments ({}). Members
                              render in their order; a repeated key keeps its first position and
                              last value (Python's dict). String values render raw, others as JSON. */
    const char *id;        /* not rendered by the template; may be NULL */
} minimax_chat_tool_call;

typedef struct minimax_chat_message {
    minimax_chat_role role;
    const char *content;   /* NULL = absent (renders as ""; for a tool message, no <response> element) */
    /* ASSISTANT: the reasoning (OpenAI "reasoning_content"). NULL = absent: then, as the template does,
       a "</think>" inside content splits it: reasoning = text before the first </think>, after the last
       <think>, stripped of '\n'; content = text after the last </think>, stripped of '\n'. "" = present
       but empty (no split). Reasoning is rendered only for assistant turns after the last user turn
       (interleaved thinking); earlier turns lose it, as in the template. */
    const char *reasoning;
    const minimax_chat_tool_call *tool_calls; /* ASSISTANT */
    size_t n_tool_calls;
    const char *tool_call_id; /* TOOL: not rendered by the template; may be NULL */
    /* SYSTEM, first message only: lines appended to the system text ("\nCurrent date: ..."). */
    const char *current_date;
    const char *current_location;
} minimax_chat_message;

/* A tool the model may call: its JSON definition in OpenAI form,
   {"type": "function", "function": {"name": ..., "description": ..., "parameters": {...}}}.
   The prompt shows the "function" member re-serialised like Python's json.dumps (", " and ": "
   separators, key order kept, non-ASCII unescaped). */
typedef struct minimax_chat_tool {
    const char *json;
} minimax_chat_tool;

/* A conversation. Zero-initialise, then fill in; every zero field is a default. */
typedef struct minimax_chat_desc {
    const minimax_chat_message *messages;
    size_t n_messages;
    const minimax_chat_tool *tools; /* shown in the system turn; none = no tools section */
    size_t n_tools;
    int add_generation_prompt;      /* nonzero: end with "]~b]ai\n<think>\n" for the model to continue */
    /* Same as current_date/current_location on the first (system) message; a value set on that message
       wins. With no system message, the default system text is used and these lines follow it. */
    const char *date;
    const char *location;
    const char *model_identity; /* system text when there is no system message or its content is empty;
                                   NULL = "You are a helpful assistant." (the template's model_identity) */
} minimax_chat_desc;

/* Renders the conversation as text. On success *text is a NUL-terminated string of *len bytes (len
   may be NULL) that the caller frees with minimax_chat_text_free.
   Messages are rendered as the template does, including its quirks: a system message that is not
   the first message is ignored; consecutive tool messages share one "]~b]tool" header.
   Errors (nothing is allocated, *text = NULL):
     MINIMAX_ERR_TEMPLATE  the template would raise: a tool message with no earlier assistant turn
                           that made tool calls ("Message has tool role, but there was no previous
                           assistant message with a tool call!"); a tool call without a name; tool
                           call arguments that are not a JSON object (or a string holding one); a
                           tool whose JSON is not an object with a "function" member.
     MINIMAX_ERR_INVALID_ARGUMENT  NULL pointers, a role that is not one of the four.
   The message names the message/tool index.
   Thread safety: any thread. */
MINIMAX_API minimax_result minimax_chat_render(const minimax_chat_desc *desc, char **text, size_t *len);

/* Frees a string returned by minimax_chat_render (NULL is a no-op). */
MINIMAX_API void minimax_chat_text_free(char *text);

/* Renders and tokenizes the conversation: the format's markers become their special ids, all other
   bytes are tokenized as plain text in the runs between markers (so the ids equal tokenizing the
   rendered text with special tokens matched, as long as the caller's text holds no marker strings).
   Writes min(cap, count) ids; *n_ids gets the full count (ids may be NULL with cap 0 to ask for it).
   Errors: those of minimax_chat_render; MINIMAX_ERR_UNSUPPORTED if the tokenizer lacks a marker.
   Thread safety: any thread (tok is only read). */
MINIMAX_API minimax_result minimax_chat_tokenize(const minimax_tokenizer *tok, const minimax_chat_desc *desc,
                                                 int32_t *ids, size_t cap, size_t *n_ids);

/* ---- model output: reasoning, content, tool calls ------------------------

   Feed the generated text (decoded token pieces, in any chunks, without the end-of-turn token [e~[)
   to an output parser; read the split so far at any time:

     reasoning  the text before </think> (the generation prompt opened <think>, so output starts
                inside the reasoning; a "<think>" at the very start of the output is skipped),
                stripped of leading and trailing '\n'. Output that never closes </think> is all
                reasoning.
     content    the text after </think> outside tool-call blocks, stripped of leading and trailing
                '\n' as a whole (the template puts those newlines around it).
     tool_calls from each complete <minimax:tool_call> ... </minimax:tool_call> block, every
                <invoke name=NAME> ... </invoke> in it (NAME in "", '' or bare), each with its
                <parameter name=KEY>VALUE</parameter> elements as a JSON object, in the form and
                with the typing of vLLM's minimax_m2 tool parser:
                - VALUE loses one leading and one trailing '\n' (vLLM strips all white space; here a
                  string value keeps its other spaces, so rendering and parsing round-trip).
                - The parameter's JSON-schema types come from the tool's parameters.properties:
                  "type" (string or list), types of "enum" values, anyOf/oneOf/allOf recursively;
                  no schema = string. Tried in the order integer > number > boolean > object/array
                  > string: integer as Python int(); number as float() (an integral value becomes
                  an integer, NaN and infinities fail); boolean true/1/yes/on, false/0/no/off;
                  object/array as JSON (not one holding a number beyond double's range, which
                  json.dumps would write as Infinity). A value that fits none becomes JSON if it
                  parses (the same exception), else a string. "null", "none", "nil" (any case)
                  become null unless the schema allows a string and not null (vLLM turns them to
                  null always).
                - A repeated key keeps its first position and its last value.
                - arguments is written as Python's json.dumps(ensure_ascii=False) writes it:
                  {"city": "Paris", "days": 3}.
              A block that yields no call (no well-formed invoke) stays in the content verbatim, as
              does a block the output never closes. A tool-call block inside the reasoning is
              reasoning. Content after a block is kept (vLLM drops it).

   Streaming: reasoning and content only ever grow (text is held back while it might be the start
   of a marker, and '\n' runs while they might be trailing), and tool calls appear when their block
   closes; a caller can send the new suffix after each feed. */

typedef struct minimax_output_parser minimax_output_parser;

typedef struct minimax_output_parser_desc {
    const minimax_chat_tool *tools; /* the tools of the request (their schemas type the arguments); may be NULL */
    size_t n_tools;
    int starts_in_content; /* nonzero: the prompt did not open <think> (output starts as content) */
} minimax_output_parser_desc;

typedef struct minimax_output_tool_call {
    const char *name;      /* NUL-terminated */
    const char *arguments; /* a JSON object, NUL-terminated */
} minimax_output_tool_call;

typedef struct minimax_output {
    const char *reasoning; /* NUL-terminated; reasoning_len bytes */
    size_t reasoning_len;
    const char *content;   /* NUL-terminated; content_len bytes */
    size_t content_len;
    const minimax_output_tool_call *tool_calls;
    size_t n_tool_calls;
    int in_reasoning;      /* 1 while the parser is inside the reasoning (before </think>) */
} minimax_output;

/* Creates a parser. desc may be NULL (no tools, output starts in the reasoning). A tool whose JSON
   does not parse fails with MINIMAX_ERR_FORMAT naming it; tools without a usable schema are fine
   (their arguments stay strings). Thread safety: any thread; one parser is used by one thread at a
   time. */
MINIMAX_API minimax_result minimax_output_parser_create(const minimax_output_parser_desc *desc,
                                                        minimax_output_parser **out);

/* Feeds len bytes of output. Never fails on any text (malformed markup becomes content); fails only
   on out-of-memory or after minimax_output_parser_finish (MINIMAX_ERR_INVALID_ARGUMENT). */
MINIMAX_API minimax_result minimax_output_parser_feed(minimax_output_parser *p, const char *text, size_t len);

/* Ends the output: text held back is settled (an unclosed block becomes content). */
MINIMAX_API minimax_result minimax_output_parser_finish(minimax_output_parser *p);

/* The split so far. The pointers stay valid until the next feed, finish or free. */
MINIMAX_API void minimax_output_parser_get(const minimax_output_parser *p, minimax_output *out);

/* Frees a parser (NULL is a no-op). */
MINIMAX_API void minimax_output_parser_free(minimax_output_parser *p);

#ifdef __cplusplus
}
#endif
