using System.Text;
using System.Text.Json.Nodes;
using CsCheck;

namespace Notify.Core.Tests.Validation;

public sealed class JsonInputTests
{
    private static IDictionary<string, string[]> Check(string json) => Check(Encoding.UTF8.GetBytes(json));

    private static IDictionary<string, string[]> Check(byte[] utf8)
    {
        var errors = new ValidationErrors();
        JsonInput.TryParse(utf8, 32, errors, out _);
        return errors.ToDictionary();
    }

    [Fact]
    public void Duplicate_members_are_reported_at_their_path_at_every_depth()
    {
        var errors = Check("""{"a":1,"b":{"c":[{"d":1,"d":2}],"c":3},"a":2,"e":{"a":1}}""");

        Assert.Equal(["a", "b.c", "b.c[0].d"], errors.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Members_that_differ_only_in_escaping_are_the_same_member()
    {
        Assert.Equal(["ab"], Check("""{"ab":1,"a\u0062":2}""").Keys);
    }

    [Theory]
    [InlineData("""{"n":1e999999}""", "n")]
    [InlineData("""{"x":[0,-1e999999]}""", "x[1]")]
    [InlineData("""[1,123456789012345678901234567890]""", "$[1]")]
    [InlineData("""{"s":"\ud800"}""", "s")]
    public void Values_that_cannot_be_read_later_are_reported_at_their_path(string json, string path)
    {
        Assert.Equal([path], Check(json).Keys);
    }

    [Fact]
    public void A_document_with_duplicate_members_or_numbers_out_of_range_is_still_given_to_bind_its_fields()
    {
        var errors = new ValidationErrors();

        var root = JsonInput.Parse("""{"a":1,"a":2,"n":1e999999,"b":"x"}"""u8, 32, errors);

        Assert.Equal(["a", "n"], errors.ToDictionary().Keys.Order(StringComparer.Ordinal));
        Assert.Equal("x", root?.GetProperty("b").GetString());
        Assert.False(JsonInput.TryParse("""{"a":1,"a":2}"""u8, 32, new ValidationErrors(), out _));
    }

    [Theory]
    [InlineData("""{"s":"\ud800","t":1}""")]
    [InlineData("""{"\ud800":1}""")]
    [InlineData("""{"a":1,""")]
    public void A_document_that_would_throw_when_read_is_not_given_to_bind(string json)
    {
        var errors = new ValidationErrors();

        Assert.Null(JsonInput.Parse(Encoding.UTF8.GetBytes(json), 32, errors));
        Assert.False(errors.IsEmpty);
    }

    [Fact]
    public void A_document_with_more_problems_than_are_listed_is_not_given_to_bind()
    {
        // Past the cap the rest is not looked at, so a lone surrogate there would go unseen.
        var json = "{" + string.Join(",", Enumerable.Repeat("\"a\":1", JsonInput.MaxErrors + 2)) + ",\"s\":\"\\ud800\"}";
        var errors = new ValidationErrors();

        Assert.Null(JsonInput.Parse(Encoding.UTF8.GetBytes(json), 32, errors));
    }

    [Fact]
    public void Invalid_utf8_is_one_error_naming_the_byte()
    {
        var errors = Check([.. "{\"a\":\""u8.ToArray(), 0xC3, 0x28, .. "\"}"u8.ToArray()]);

        Assert.Contains("byte 7", Assert.Single(errors["$"]), StringComparison.Ordinal);
    }

    [Fact]
    public void Malformed_json_names_line_and_position()
    {
        Assert.Contains("line 2", Assert.Single(Check("{\"a\":1,\n\"b\":}")["$"]), StringComparison.Ordinal);
    }

    [Fact]
    public void Well_formed_bodies_without_those_problems_pass_unchanged()
    {
        // Any JsonNode written out has unique members, valid text and (here) numbers in range.
        var leaf = Gen.OneOf<JsonNode?>(
            Gen.Int.Select(i => (JsonNode?)JsonValue.Create(i)),
            Gen.String.Select(s => (JsonNode?)JsonValue.Create(s)),
            Gen.Bool.Select(b => (JsonNode?)JsonValue.Create(b)),
            Gen.Const((JsonNode?)null));
        var node = Gen.Recursive<JsonNode?>((depth, self) => depth >= 4 ? leaf : Gen.OneOf(
            leaf,
            self.Array[0, 4].Select(items => (JsonNode?)new JsonArray([.. items.Select(i => i?.DeepClone())])),
            Gen.Dictionary(Gen.String[0, 8], self)[0, 4].Select(members => (JsonNode?)new JsonObject(members.Select(m => KeyValuePair.Create(m.Key, m.Value?.DeepClone()))))));

        node.Sample(n =>
        {
            var text = n?.ToJsonString() ?? "null";
            var errors = new ValidationErrors();
            Assert.True(JsonInput.TryParse(Encoding.UTF8.GetBytes(text), 32, errors, out var root), string.Join("; ", errors.ToDictionary().Select(e => $"{e.Key}: {string.Join(",", e.Value)}")));
            Assert.Equal(text, root.GetRawText());
        }, iter: 500);
    }
}
