using System.Reflection;

namespace Notify.Testing.Fakes;

/// <summary>
/// A port the code under test must not touch on the path a unit test takes (the digest store for a delivery without
/// a digest, the audit store for a send): any call fails the test, naming the method, instead of a silent default.
/// </summary>
public class UnusedPort : DispatchProxy
{
    public static T Of<T>()
        where T : class => Create<T, UnusedPort>();

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) =>
        throw new NotSupportedException($"{targetMethod?.DeclaringType?.Name}.{targetMethod?.Name} is not expected on this path; give the test an in-memory fake of it.");
}
