namespace Notify.Testing.Fakes;

/// <summary>Jitter that always draws the same number, so a backoff or a wait is known in advance.</summary>
public sealed class FixedJitter(double value) : IJitter
{
    public double NextDouble() => value;
}
