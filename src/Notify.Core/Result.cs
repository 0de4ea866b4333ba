namespace Notify.Core;

/// <summary>What a Core service answers an API call with; hosts map each kind to an HTTP status.</summary>
public enum ResultKind
{
    Ok,
    Invalid,
    NotFound,
    Conflict,

    /// <summary>The caller is known and has the scope, but this resource is not its to change or use (403).</summary>
    Forbidden,
}

public sealed record Result<T>(ResultKind Kind, T? Value, ValidationErrors? Errors, string? Detail)
{
    public static Result<T> Ok(T value) => new(ResultKind.Ok, value, null, null);

    public static Result<T> Invalid(ValidationErrors errors) => new(ResultKind.Invalid, default, errors, null);

    public static Result<T> NotFound(string? detail = null) => new(ResultKind.NotFound, default, null, detail);

    public static Result<T> Conflict(string detail) => new(ResultKind.Conflict, default, null, detail);

    public static Result<T> Forbidden(string detail) => new(ResultKind.Forbidden, default, null, detail);
}
