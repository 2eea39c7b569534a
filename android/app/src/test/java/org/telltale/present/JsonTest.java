package org.telltale.present;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The JSON reader: values, escapes, limits, and refusals with their offsets. */
public final class JsonTest {
    @Test
    void parsesEveryKindOfValue() throws JsonException {
        Object v = Json.parse(" {\"a\": [1, -2, 3.5, 1e3, true, false, null, \"x\", {}, []],"
                + " \"b\": {\"c\": -0}} ");
        Map<String, Object> m = Fields.object(v);
        Check.eq(Arrays.asList("a", "b"), List.copyOf(m.keySet()));
        List<Object> a = Fields.list(m, "a");
        Check.eq(1L, a.get(0));
        Check.eq(-2L, a.get(1));
        Check.eq(3.5, a.get(2));
        Check.eq(1000.0, a.get(3));
        Check.eq(Boolean.TRUE, a.get(4));
        Check.eq(Boolean.FALSE, a.get(5));
        Check.eq(null, a.get(6));
        Check.eq("x", a.get(7));
        Check.eq(new LinkedHashMap<String, Object>(), a.get(8));
        Check.eq(List.of(), a.get(9));
        Check.eq(0L, Fields.object(m, "b").get("c"));
    }

    @Test
    void keepsMemberOrder() throws JsonException {
        Map<String, Object> m = Fields.object(Json.parse("{\"z\":1,\"a\":2,\"m\":3}"));
        Check.eq(Arrays.asList("z", "a", "m"), List.copyOf(m.keySet()));
    }

    @Test
    void scalarsAtTopLevel() throws JsonException {
        Check.eq("hi", Json.parse("\"hi\""));
        Check.eq(42L, Json.parse("42"));
        Check.eq(null, Json.parse("null"));
    }

    @Test
    void integersBeyond64BitsBecomeDoubles() throws JsonException {
        Check.eq(Long.MAX_VALUE, Json.parse("9223372036854775807"));
        Check.eq(Long.MIN_VALUE, Json.parse("-9223372036854775808"));
        Check.eq(1.8446744073709552E19, Json.parse("18446744073709551616"));
    }

    @Test
    void decodesEscapes() throws JsonException {
        Check.eq("\" \\ / \b \f \n \r \t \u00e9 \u2026",
                Json.parse("\"\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u00e9 \\u2026\""));
        Check.eq("\u2248", Json.parse("\"\\u2248\""));
        Check.eq("AB", Json.parse("\"\\u0041\\u0042\""));
        Check.eq("\u00ff", Json.parse("\"\\u00FF\""));
    }

    @Test
    void joinsSurrogatePairs() throws JsonException {
        String s = (String) Json.parse("\"\\ud83d\\ude00!\"");
        Check.eq(0x1F600, s.codePointAt(0));
        Check.eq(3, s.length());
        // Raw (unescaped) non-BMP characters pass through as they are.
        Check.eq("\uD83D\uDE00", Json.parse("\"\uD83D\uDE00\""));
    }

    @Test
    void refusesLoneSurrogates() {
        Check.eq(1, Check.jsonError(() -> Json.parse("\"\\ud83d\"")).offset());
        Check.eq(1, Check.jsonError(() -> Json.parse("\"\\ud83dx\"")).offset());
        Check.eq(1, Check.jsonError(() -> Json.parse("\"\\ud83d\\u0041\"")).offset());
        Check.eq(2, Check.jsonError(() -> Json.parse("\"a\\ude00\"")).offset());
    }

    @Test
    void refusesBadStringsWithOffsets() {
        Check.eq(3, Check.jsonError(() -> Json.parse("[\"a\\x\"]")).offset());
        Check.eq(1, Check.jsonError(() -> Json.parse("[\"abc")).offset());
        Check.eq(2, Check.jsonError(() -> Json.parse("\"a\nb\"")).offset());
        Check.eq(1, Check.jsonError(() -> Json.parse("\"\\u12\"")).offset());
        Check.eq(1, Check.jsonError(() -> Json.parse("\"\\u12g4\"")).offset());
        // Non-ASCII digits are not hex digits in JSON.
        Check.eq(1, Check.jsonError(() -> Json.parse("\"\\u\u0661234\"")).offset());
    }

    @Test
    void refusesBadNumbersWithOffsets() {
        Check.eq(1, Check.jsonError(() -> Json.parse("[01]")).offset());
        Check.eq(1, Check.jsonError(() -> Json.parse("[-]")).offset());
        Check.eq(1, Check.jsonError(() -> Json.parse("[1.]")).offset());
        Check.eq(1, Check.jsonError(() -> Json.parse("[.5]")).offset());
        Check.eq(1, Check.jsonError(() -> Json.parse("[1e]")).offset());
        Check.eq(1, Check.jsonError(() -> Json.parse("[+1]")).offset());
        Check.eq(0, Check.jsonError(() -> Json.parse("1e999")).offset());
        Check.eq(1, Check.jsonError(() -> Json.parse("[NaN]")).offset());
    }

    @Test
    void refusesBadStructureWithOffsets() {
        Check.eq(0, Check.jsonError(() -> Json.parse("")).offset());
        Check.eq(3, Check.jsonError(() -> Json.parse("   ")).offset());
        Check.eq(3, Check.jsonError(() -> Json.parse("[1,]")).offset());
        Check.eq(7, Check.jsonError(() -> Json.parse("{\"a\":1,}")).offset());
        Check.eq(3, Check.jsonError(() -> Json.parse("[1 2]")).offset());
        Check.eq(5, Check.jsonError(() -> Json.parse("{\"a\" 1}")).offset());
        Check.eq(1, Check.jsonError(() -> Json.parse("{a:1}")).offset());
        Check.eq(3, Check.jsonError(() -> Json.parse("{} {}")).offset());
        Check.eq(4, Check.jsonError(() -> Json.parse("truex")).offset());
        Check.eq(0, Check.jsonError(() -> Json.parse("tru")).offset());
        Check.eq(1, Check.jsonError(() -> Json.parse("[}")).offset());
        Check.eq(2, Check.jsonError(() -> Json.parse("[1")).offset());
        Check.eq(0, Check.jsonError(() -> Json.parse("\uFEFF{}")).offset());
        Check.eq(1, Check.jsonError(() -> Json.parse("[/* c */]")).offset());
        Check.eq(1, Check.jsonError(() -> Json.parse("['a']")).offset());
        Check.jsonError(() -> Json.parse(null));
    }

    @Test
    void refusesDuplicateMemberNames() {
        JsonException e = Check.jsonError(() -> Json.parse("{\"a\":1,\"b\":2,\"a\":3}"));
        Check.eq(13, e.offset());
        Check.isTrue(e.getMessage().contains("duplicate"), e.getMessage());
    }

    @Test
    void messagesNameTheOffset() {
        JsonException e = Check.jsonError(() -> Json.parse("[1,,2]"));
        Check.eq("unexpected character ',' at offset 3", e.getMessage());
    }

    @Test
    void depthLimitCountsContainers() throws JsonException {
        Check.eq(List.of(List.of(List.of())), Json.parse("[[[]]]", 100, 3));
        JsonException e = Check.jsonError(() -> Json.parse("[[[[]]]]", 100, 3));
        Check.eq(3, e.offset());
        Check.eq(10, Check.jsonError(() -> Json.parse("{\"a\":{\"b\":[{}]}}", 100, 2)).offset());
    }

    @Test
    void deepNestingIsRefusedWithoutOverflowingTheStack() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 1_000_000; i++) {
            sb.append('[');
        }
        Check.eq(Json.DEFAULT_MAX_DEPTH, Check.jsonError(() -> Json.parse(sb.toString())).offset());
    }

    @Test
    void sizeLimit() throws JsonException {
        Check.eq(List.of(), Json.parse("[ ]", 3, 4));
        Check.eq(3, Check.jsonError(() -> Json.parse("[  ]", 3, 4)).offset());
    }
}
