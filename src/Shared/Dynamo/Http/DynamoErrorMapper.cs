using System.Net;
using System.Text.Json;

namespace Replication.Dynamo.Http;

/// <summary>Turns a non-2xx response into the typed exception named by its <c>__type</c> and status.</summary>
public static class DynamoErrorMapper
{
    public static DynamoException Map(string operation, HttpStatusCode status, ReadOnlySpan<byte> body, string? errorTypeHeader = null)
    {
        var (type, message) = ReadError(body);
        type ??= errorTypeHeader is null ? null : StripNamespace(errorTypeHeader);
        message ??= body.IsEmpty ? "(empty response body)" : System.Text.Encoding.UTF8.GetString(body[..Math.Min(body.Length, 512)]);

        switch (type)
        {
            case "ProvisionedThroughputExceededException" or "ThrottlingException" or "Throttling"
                 or "LimitExceededException" or "RequestLimitExceeded" or "TooManyRequestsException":
                return new DynamoThrottlingException(operation, type, status, message);
            case "ExpiredIteratorException":
                return new DynamoExpiredIteratorException(operation, status, message);
            case "TrimmedDataAccessException":
                return new DynamoTrimmedDataAccessException(operation, status, message);
            case "ResourceNotFoundException":
                return new DynamoResourceNotFoundException(operation, status, message);
            case "ValidationException" or "SerializationException":
                return new DynamoValidationException(operation, type, status, message);
            case "InternalServerError" or "InternalFailure" or "ServiceUnavailable" or "ServiceUnavailableException":
                return new DynamoServerException(operation, type, status, message);
        }
        if ((int)status >= 500) return new DynamoServerException(operation, type, status, message);
        if (status == HttpStatusCode.TooManyRequests) return new DynamoThrottlingException(operation, type ?? "TooManyRequests", status, message);
        return new DynamoException(operation, type, status, message, isRetryable: false);
    }

    private static (string? Type, string? Message) ReadError(ReadOnlySpan<byte> body)
    {
        if (body.IsEmpty) return (null, null);
        try
        {
            var reader = new Utf8JsonReader(body);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return (null, null);
            string? type = null, message = null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isType = reader.ValueTextEquals("__type");
                var isMessage = reader.ValueTextEquals("message") || reader.ValueTextEquals("Message");
                reader.Read();
                if (isType && reader.TokenType == JsonTokenType.String) type = StripNamespace(reader.GetString()!);
                else if (isMessage && reader.TokenType == JsonTokenType.String) message = reader.GetString();
                else reader.Skip();
            }
            return (type, message);
        }
        catch (JsonException)
        {
            return (null, null);
        }
    }

    // "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException" → "ResourceNotFoundException"; the header form may add ":…".
    private static string StripNamespace(string type)
    {
        var hash = type.LastIndexOf('#');
        var name = hash >= 0 ? type[(hash + 1)..] : type;
        var colon = name.IndexOf(':');
        return colon >= 0 ? name[..colon] : name;
    }
}
