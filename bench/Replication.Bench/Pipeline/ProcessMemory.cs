using System.Globalization;

namespace Replication.Bench.Pipeline;

/// <summary>Resident memory from /proc: the peak (VmHWM) since the last reset, resettable through clear_refs.</summary>
public static class ProcessMemory
{
    /// <summary>Writing 5 to clear_refs resets VmHWM to the current RSS (Linux ≥ 4.0), so a phase's own peak can be read.</summary>
    public static bool TryResetPeak(int pid)
    {
        try
        {
            File.WriteAllText($"/proc/{pid}/clear_refs", "5");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    public static long? PeakBytes(int pid) => StatusKilobytes(pid, "VmHWM:") * 1024;

    public static long? CurrentBytes(int pid) => StatusKilobytes(pid, "VmRSS:") * 1024;

    private static long? StatusKilobytes(int pid, string field)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
                if (line.StartsWith(field, StringComparison.Ordinal))
                    return long.Parse(line[field.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
        }
        return null;
    }
}
