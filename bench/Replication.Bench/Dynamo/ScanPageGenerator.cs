using System.Globalization;
using System.Text;

namespace Replication.Bench.Dynamo;

/// <summary>
/// A deterministic Scan response body in the DynamoDB JSON wire format: about 1 MB of mixed items of roughly 300
/// bytes each (strings, integers, decimals, booleans, null, a string set, a nested map, a list, a small binary).
/// </summary>
internal static class ScanPageGenerator
{
    public static byte[] Page(int targetBytes = 1 << 20)
    {
        var random = new Random(20261122);
        var sb = new StringBuilder(targetBytes + 1024);
        sb.Append("{\"Items\":[");
        var count = 0;
        while (sb.Length < targetBytes - 400)
        {
            if (count > 0) sb.Append(',');
            AppendItem(sb, random, count++);
        }
        sb.Append("],\"Count\":").Append(count).Append(",\"ScannedCount\":").Append(count).Append('}');
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    private static void AppendItem(StringBuilder sb, Random random, int n)
    {
        var inv = CultureInfo.InvariantCulture;
        var blob = new byte[12];
        random.NextBytes(blob);
        sb.Append("{\"name\":{\"S\":\"customer ").Append(n).Append(" Müller\"}");
        sb.Append(",\"price\":{\"N\":\"").Append((random.Next(1, 100000) / 100.0).ToString("0.00", inv)).Append("\"}");
        sb.Append(",\"qty\":{\"N\":\"").Append(random.Next(0, 5000)).Append("\"}");
        sb.Append(",\"pk\":{\"S\":\"tenant#").Append(n % 97).Append("\"}");
        sb.Append(",\"sk\":{\"N\":\"").Append(1700000000000L + n).Append("\"}");
        sb.Append(",\"active\":{\"BOOL\":").Append(random.Next(2) == 0 ? "true" : "false").Append('}');
        sb.Append(",\"deleted\":{\"NULL\":true}");
        sb.Append(",\"tags\":{\"SS\":[\"red\",\"sale\",\"t").Append(random.Next(100)).Append("\"]}");
        sb.Append(",\"address\":{\"M\":{\"city\":{\"S\":\"Zürich\"},\"zip\":{\"N\":\"").Append(random.Next(1000, 9999)).Append("\"},\"geo\":{\"L\":[{\"N\":\"47.3769\"},{\"N\":\"8.5417\"}]}}}");
        sb.Append(",\"history\":{\"L\":[{\"N\":\"").Append(random.Next()).Append("\"},{\"S\":\"created\"},{\"BOOL\":true}]}");
        sb.Append(",\"token\":{\"B\":\"").Append(Convert.ToBase64String(blob)).Append("\"}}");
    }
}
