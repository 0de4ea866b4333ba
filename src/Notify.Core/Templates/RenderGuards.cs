using System.Text;
using Fluid;
using Fluid.Ast;
using Fluid.Values;

namespace Notify.Core.Templates;

/// <summary>A render went past one of <see cref="TemplateLimitOptions"/>; thrown to stop Fluid at once.</summary>
internal sealed class TemplateLimitException(string limit, string message) : Exception(message)
{
    /// <summary>The setting's name, e.g. <c>SmsBodyChars</c> or <c>MaxSteps</c>.</summary>
    public string Limit { get; } = limit;
}

/// <summary>
/// Collects one field's output and stops the render the moment it passes the field's cap, so a template that
/// would write a gigabyte allocates at most the cap.
/// </summary>
internal sealed class BoundedWriter(int cap, string limitName) : TextWriter
{
    private readonly StringBuilder _text = new();

    public override Encoding Encoding => Encoding.Unicode;

    public override void Write(char value)
    {
        Reserve(1);
        _text.Append(value);
    }

    public override void Write(char[] buffer, int index, int count)
    {
        Reserve(count);
        _text.Append(buffer, index, count);
    }

    public override void Write(ReadOnlySpan<char> buffer)
    {
        Reserve(buffer.Length);
        _text.Append(buffer);
    }

    public override void Write(string? value)
    {
        if (value is not null)
        {
            Reserve(value.Length);
            _text.Append(value);
        }
    }

    public override Task WriteAsync(char value)
    {
        Write(value);
        return Task.CompletedTask;
    }

    public override Task WriteAsync(string? value)
    {
        Write(value);
        return Task.CompletedTask;
    }

    public override Task WriteAsync(char[] buffer, int index, int count)
    {
        Write(buffer, index, count);
        return Task.CompletedTask;
    }

    public override Task WriteAsync(ReadOnlyMemory<char> buffer, CancellationToken cancellationToken = default)
    {
        Write(buffer.Span);
        return Task.CompletedTask;
    }

    public override string ToString() => _text.ToString();

    private void Reserve(int count)
    {
        if ((long)_text.Length + count > cap)
        {
            throw new TemplateLimitException(limitName, $"the output is longer than {cap} characters ({limitName})");
        }
    }
}

/// <summary>
/// Rewrites a parsed template so Fluid cannot allocate past the limits before it checks them. Fluid builds the
/// whole array of a range before a loop's first step, so <c>(1..100000000)</c> would allocate for seconds before
/// <c>MaxSteps</c> is ever checked: every range is replaced by one that refuses to build more items than the step
/// limit could ever visit. Fluid collects a <c>capture</c> block in an unbounded buffer and only then hands it to
/// the <c>Captured</c> hook: every capture is replaced by one that writes into a buffer that stops at
/// <see cref="TemplateLimitOptions.MaxVariableChars"/>.
/// </summary>
internal sealed class LimitRewriter(TemplateLimitOptions limits) : AstRewriter
{
    protected override Expression VisitRangeExpression(RangeExpression rangeExpression) =>
        new BoundedRangeExpression((RangeExpression)base.VisitRangeExpression(rangeExpression));

    protected override Statement VisitCaptureStatement(CaptureStatement captureStatement) =>
        base.VisitCaptureStatement(captureStatement) is CaptureStatement visited
            ? new BoundedCaptureStatement(visited.Identifier, visited.Statements, limits.MaxVariableChars)
            : captureStatement;

    private sealed class BoundedCaptureStatement(string identifier, IReadOnlyList<Statement> statements, int cap) : Statement
    {
        public override async ValueTask<Completion> WriteToAsync(TextWriter writer, System.Text.Encodings.Web.TextEncoder encoder, TemplateContext context)
        {
            var buffer = new BoundedWriter(cap, nameof(TemplateLimitOptions.MaxVariableChars));
            foreach (var statement in statements)
            {
                context.IncrementSteps();
                var completion = await statement.WriteToAsync(buffer, encoder, context);
                if (completion != Completion.Normal)
                {
                    return completion;
                }
            }
            FluidValue value = new StringValue(buffer.ToString(), false);
            if (context.Captured is { } captured)
            {
                value = await captured(identifier, value, context);
            }
            // Already encoded while captured, as Fluid's own capture leaves it.
            context.SetValue(identifier, value);
            return Completion.Normal;
        }
    }

    private sealed class BoundedRangeExpression(RangeExpression range) : Expression
    {
        public override async ValueTask<FluidValue> EvaluateAsync(TemplateContext context)
        {
            var from = (await range.From.EvaluateAsync(context)).ToNumberValue();
            var to = (await range.To.EvaluateAsync(context)).ToNumberValue();
            var count = to - from + 1;
            if (context.MaxSteps > 0 && count > context.MaxSteps)
            {
                throw new TemplateLimitException(nameof(TemplateLimitOptions.MaxSteps), $"a range of {count} items is more than the step limit of {context.MaxSteps} (MaxSteps)");
            }
            return await range.EvaluateAsync(context);
        }
    }
}

/// <summary>
/// What a template's Liquid shows without any data: loops over literal ranges that could never finish within the
/// step limit, loops nested deeper than allowed, expressions of literals only that fail (<c>{{ 1 | divided_by: 0 }}</c>),
/// and literal text longer than the field may ever be. Used at PUT, so such a template is never stored.
/// </summary>
internal sealed class TemplateAnalyzer : AstVisitor
{
    private readonly TemplateLimitOptions _limits;
    private readonly int _cap;
    private readonly string _capName;
    private readonly List<string> _problems = [];
    private long _iterations = 1;
    private int _depth;
    private int _maxDepth;
    private long _topLevelText;
    private int _blockDepth;

    private TemplateAnalyzer(TemplateLimitOptions limits, int cap, string capName)
    {
        _limits = limits;
        _cap = cap;
        _capName = capName;
    }

    /// <summary>Every problem found in one field's Liquid, as sentences for a validation error.</summary>
    public static IReadOnlyList<string> Check(IFluidTemplate template, TemplateLimitOptions limits, Channel channel, string field)
    {
        var analyzer = new TemplateAnalyzer(limits, limits.CapFor(channel, field), TemplateLimitOptions.CapName(channel, field));
        analyzer.VisitTemplate(template);
        if (analyzer._topLevelText > analyzer._cap)
        {
            analyzer._problems.Add($"its literal text alone is {analyzer._topLevelText} characters, more than the {analyzer._cap} allowed ({analyzer._capName})");
        }
        return analyzer._problems;
    }

    /// <summary>Deepest loop nesting of a template, to tell Fluid's recursion limit from its step limit (both throw alike).</summary>
    public static int LoopDepth(IFluidTemplate template, TemplateLimitOptions limits)
    {
        var analyzer = new TemplateAnalyzer(limits, int.MaxValue, "");
        analyzer.VisitTemplate(template);
        return analyzer._maxDepth;
    }

    protected override Statement VisitForStatement(ForStatement forStatement)
    {
        var before = _iterations;
        if (forStatement.Source is RangeExpression { From: LiteralExpression from, To: LiteralExpression to })
        {
            var count = Math.Max(0m, to.Value.ToNumberValue() - from.Value.ToNumberValue() + 1);
            _iterations = (long)Math.Min(long.MaxValue / 2, (decimal)_iterations * Math.Max(1m, count));
            if (_iterations > _limits.MaxSteps && before <= _limits.MaxSteps)
            {
                _problems.Add($"the loop over ({from.Value.ToNumberValue()}..{to.Value.ToNumberValue()}) needs {_iterations} steps, more than the step limit of {_limits.MaxSteps} (MaxSteps)");
            }
        }
        _depth++;
        _maxDepth = Math.Max(_maxDepth, _depth);
        if (_depth == _limits.MaxNesting + 1)
        {
            _problems.Add($"loops are nested {_depth} deep, more than the {_limits.MaxNesting} allowed (MaxNesting)");
        }
        _blockDepth++;
        var result = base.VisitForStatement(forStatement);
        _blockDepth--;
        _depth--;
        _iterations = before;
        return result;
    }

    protected override Statement VisitTextSpanStatement(TextSpanStatement textSpanStatement)
    {
        if (_blockDepth == 0)
        {
            _topLevelText += textSpanStatement.Text.Length;
        }
        return base.VisitTextSpanStatement(textSpanStatement);
    }

    protected override Statement VisitIfStatement(IfStatement ifStatement) => InBlock(() => base.VisitIfStatement(ifStatement));

    protected override Statement VisitUnlessStatement(UnlessStatement unlessStatement) => InBlock(() => base.VisitUnlessStatement(unlessStatement));

    protected override Statement VisitCaseStatement(CaseStatement caseStatement) => InBlock(() => base.VisitCaseStatement(caseStatement));

    protected override Statement VisitCaptureStatement(CaptureStatement captureStatement) => InBlock(() => base.VisitCaptureStatement(captureStatement));

    protected override Statement VisitOutputStatement(OutputStatement outputStatement)
    {
        CheckConstant(outputStatement.Expression);
        return base.VisitOutputStatement(outputStatement);
    }

    protected override Statement VisitAssignStatement(AssignStatement assignStatement)
    {
        CheckConstant(assignStatement.Value);
        return base.VisitAssignStatement(assignStatement);
    }

    private Statement InBlock(Func<Statement> visit)
    {
        _blockDepth++;
        try
        {
            return visit();
        }
        finally
        {
            _blockDepth--;
        }
    }

    /// <summary>An expression that reads no variable gives the same result for every request: evaluate it now.</summary>
    private void CheckConstant(Expression expression)
    {
        if (VariableFinder.ReadsVariables(expression))
        {
            return;
        }
        try
        {
            var settings = RenderSettings.For(_limits);
            var context = new TemplateContext(settings.Fluid);
            // Bounded first: a literal (1..100000000) assigned would otherwise be built here, at PUT.
            _ = settings.Rewriter.Visit(expression).EvaluateAsync(context).AsTask().GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            _problems.Add(RenderFailure.Describe(e));
        }
    }

    private sealed class VariableFinder : AstVisitor
    {
        private bool _found;

        public static bool ReadsVariables(Expression expression)
        {
            var finder = new VariableFinder();
            finder.Visit(expression);
            return finder._found;
        }

        protected override Expression VisitMemberExpression(MemberExpression memberExpression)
        {
            _found = true;
            return memberExpression;
        }
    }
}
