namespace Notify.Functions.Http;

/// <summary>
/// The answers that many functions give to a service's <see cref="Result{T}"/> the same way, one union each: a
/// function whose <c>Results&lt;...&gt;</c> is exactly one of these returns it instead of its own switch. An arm the
/// service does not answer stays a bug (<see cref="ApiResults.Unexpected"/>).
/// </summary>
public static class Answers
{
    /// <summary>200 with the value, or 404 "<paramref name="what"/> was not found." when there is none.</summary>
    public static Results<Ok<T>, NotFoundProblem> Found<T>(T? value, string what) where T : class =>
        value is null ? ApiResults.NotFound(what) : TypedResults.Ok(value);

    /// <summary>
    /// 200 with the value, or 404 "<paramref name="what"/> was not found." for any other answer: another app's
    /// resource is not found either, as across apps everywhere.
    /// </summary>
    public static Results<Ok<T>, NotFoundProblem> OkOrNotFound<T>(Result<T> result, string what) =>
        result.Kind == ResultKind.Ok ? TypedResults.Ok(result.Value) : ApiResults.NotFound(what);

    /// <summary>200 with the value, or 400 listing every invalid field.</summary>
    public static Results<Ok<T>, ValidationProblem> OkOrInvalid<T>(Result<T> result) => result.Kind switch
    {
        ResultKind.Ok => TypedResults.Ok(result.Value),
        ResultKind.Invalid => ApiResults.Invalid(result.Errors!),
        _ => throw ApiResults.Unexpected(result),
    };

    /// <summary>200 with the value, 400 listing every invalid field, or 403 for what only an admin app may ask.</summary>
    public static Results<Ok<T>, ValidationProblem, ForbiddenProblem> OkOrInvalidOrForbidden<T>(Result<T> result) => result.Kind switch
    {
        ResultKind.Ok => TypedResults.Ok(result.Value),
        ResultKind.Invalid => ApiResults.Invalid(result.Errors!),
        ResultKind.Forbidden => ApiResults.NotPermitted(result.Detail),
        _ => throw ApiResults.Unexpected(result),
    };

    /// <summary>The delete of an owned resource (template, topic, category): 204, 404, 403 for another app's, 409 on a race.</summary>
    public static Results<NoContent, NotFoundProblem, ConflictProblem, ForbiddenProblem> Deleted<T>(Result<T> result, string what) => result.Kind switch
    {
        ResultKind.Ok => TypedResults.NoContent(),
        ResultKind.NotFound => ApiResults.NotFound(what),
        ResultKind.Forbidden => ApiResults.NotPermitted(result.Detail),
        ResultKind.Conflict => ApiResults.Conflict(result.Detail),
        _ => throw ApiResults.Unexpected(result),
    };
}
