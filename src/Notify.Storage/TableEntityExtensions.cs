namespace Notify.Storage;

internal static class TableEntityExtensions
{
    /// <summary>Sets a property only when it has a value: absent, not null, is how a table row says "none".</summary>
    public static TableEntity With(this TableEntity entity, string name, object? value)
    {
        if (value is not null)
        {
            entity[name] = value;
        }
        return entity;
    }
}
