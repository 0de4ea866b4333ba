using System.Reflection;
using System.Reflection.Emit;
using System.Runtime.CompilerServices;

namespace Notify.Core.Tests.Architecture;

/// <summary>
/// What the compiled code of an assembly calls and names, read from its IL: for each method body, the methods it
/// calls (call, callvirt, newobj, ldftn) and the types it names (fields, locals, tokens), attributed to the
/// outermost type that declares it (so an async method's state machine or a lambda's closure counts as its owner).
/// </summary>
internal static class IlReferences
{
    private const BindingFlags All = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => o.Value);

    /// <summary>(owner, called method) for every call in <paramref name="assembly"/>.</summary>
    public static IEnumerable<(Type Owner, MethodBase Called)> Calls(Assembly assembly)
    {
        foreach (var type in assembly.GetTypes())
        {
            foreach (var method in type.GetMethods(All).Cast<MethodBase>().Concat(type.GetConstructors(All)))
            {
                foreach (var called in CallsOf(method))
                {
                    yield return (Owner(type), called);
                }
            }
        }
    }

    /// <summary>(owner, referenced type) for every type a type's signatures, fields and method bodies name.</summary>
    public static IEnumerable<(Type Owner, Type Referenced)> TypeReferences(Assembly assembly)
    {
        foreach (var type in assembly.GetTypes())
        {
            var owner = Owner(type);
            foreach (var field in type.GetFields(All))
            {
                yield return (owner, field.FieldType);
            }
            foreach (var method in type.GetMethods(All).Cast<MethodBase>().Concat(type.GetConstructors(All)))
            {
                foreach (var parameter in method.GetParameters())
                {
                    yield return (owner, parameter.ParameterType);
                }
                if (method is MethodInfo info)
                {
                    yield return (owner, info.ReturnType);
                }
                foreach (var called in CallsOf(method))
                {
                    if (called.DeclaringType is { } declaring)
                    {
                        yield return (owner, declaring);
                    }
                }
            }
        }
    }

    /// <summary>The outermost declaring type: a state machine or closure belongs to the type whose code it is.</summary>
    public static Type Owner(Type type)
    {
        while (type.DeclaringType is { } outer)
        {
            type = outer;
        }
        return type;
    }

    /// <summary>The type and its generic arguments, element types and so on.</summary>
    public static IEnumerable<Type> Unwrap(Type type)
    {
        if (type.HasElementType && type.GetElementType() is { } element)
        {
            foreach (var inner in Unwrap(element))
            {
                yield return inner;
            }
            yield break;
        }
        yield return type.IsGenericType && !type.IsGenericTypeDefinition ? type.GetGenericTypeDefinition() : type;
        if (type.IsGenericType)
        {
            foreach (var argument in type.GetGenericArguments().SelectMany(Unwrap))
            {
                yield return argument;
            }
        }
    }

    private static IEnumerable<MethodBase> CallsOf(MethodBase method)
    {
        byte[]? il;
        try
        {
            il = method.GetMethodBody()?.GetILAsByteArray();
        }
        catch (Exception e) when (e is InvalidOperationException or NotSupportedException)
        {
            il = null;
        }
        if (il is null)
        {
            yield break;
        }
        var module = method.Module;
        var typeArgs = method.DeclaringType is { IsGenericType: true } t ? t.GetGenericArguments() : null;
        var methodArgs = method is MethodInfo { IsGenericMethod: true } m ? m.GetGenericArguments() : null;
        var i = 0;
        while (i < il.Length)
        {
            short value = il[i];
            if (value == 0xFE && i + 1 < il.Length)
            {
                value = unchecked((short)(0xFE00 | il[i + 1]));
                i += 2;
            }
            else
            {
                i += 1;
            }
            var op = OpCodesByValue[value];
            if (op.OperandType == OperandType.InlineMethod)
            {
                var token = BitConverter.ToInt32(il, i);
                MethodBase? called = null;
                try
                {
                    called = module.ResolveMethod(token, typeArgs, methodArgs);
                }
                catch (Exception e) when (e is ArgumentException or BadImageFormatException or TypeLoadException or FileNotFoundException)
                {
                    called = null;
                }
                if (called is not null)
                {
                    yield return called;
                }
            }
            i += OperandSize(op, il, i);
        }
    }

    private static int OperandSize(OpCode op, byte[] il, int at) => op.OperandType switch
    {
        OperandType.InlineNone => 0,
        OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
        OperandType.InlineVar => 2,
        OperandType.InlineI8 or OperandType.InlineR => 8,
        OperandType.InlineSwitch => 4 + (4 * BitConverter.ToInt32(il, at)),
        _ => 4,
    };

    public static bool IsCompilerGenerated(Type type) => type.GetCustomAttribute<CompilerGeneratedAttribute>() is not null;
}
