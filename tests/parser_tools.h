/* The tool schemas of the output-parser tests (tests/test_chat.c) and its
   fuzz harness (tests/fuzz/fuzz_output.c): every JSON-schema form the parser
   converts by (string, integer, number, boolean, object, array, anyOf, enum,
   a type list, no type, oneOf/allOf), and a second tool. */
#ifndef MINIMAX_TESTS_PARSER_TOOLS_H
#define MINIMAX_TESTS_PARSER_TOOLS_H
static const char *const parser_tools[] = {
    "{\"type\": \"function\", \"function\": {\"name\": \"get_weather\", \"parameters\": {\"type\": \"object\", "
    "\"properties\": {\"city\": {\"type\": \"string\"}, \"days\": {\"type\": \"integer\"}, \"temp\": {\"type\": "
    "\"number\"}, \"metric\": {\"type\": \"boolean\"}, \"opts\": {\"type\": \"object\"}, \"tags\": {\"type\": "
    "\"array\"}, \"either\": {\"anyOf\": [{\"type\": \"string\"}, {\"type\": \"integer\"}]}, \"mode\": {\"enum\": "
    "[1, 2.5, \"x\"]}, \"maybe\": {\"type\": [\"null\", \"boolean\"]}, \"free\": {}, \"nested\": {\"oneOf\": "
    "[{\"allOf\": [{\"type\": \"number\"}]}, {\"type\": \"array\"}]}}}}}",
    "{\"type\": \"function\", \"function\": {\"name\": \"search\", \"parameters\": {\"type\": \"object\", "
    "\"properties\": {\"q\": {\"type\": \"string\"}, \"n\": {\"type\": \"integer\"}}}}}",
};
#endif
