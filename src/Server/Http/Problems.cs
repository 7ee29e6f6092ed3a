using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;
using Privomega.Server.Domain;

namespace Privomega.Server.Http;

/// <summary>
/// The one place errors become RFC 9457 problem details (docs/http-api.md, "Errors"): domain problems thrown by
/// the services, malformed or oversized bodies, unknown routes and methods, rate limits. A problem carries a
/// code and, for decode errors, field/found/expected — never request content, never an exception message of
/// anything but a <see cref="ServerProblemException"/>.
/// </summary>
public sealed partial class Problems(IProblemDetailsService problemDetails, ILogger<Problems> logger) : IExceptionHandler
{
    /// <summary>The problem type URI of <paramref name="code"/>.</summary>
    public static string TypeOf(string code) => "urn:privomega:problem:" + code;

    /// <summary>Registers problem details, the exception handler and the status-code problems.</summary>
    public static void Add(IServiceCollection services)
    {
        services.AddProblemDetails(o => o.CustomizeProblemDetails = context =>
        {
            var details = context.ProblemDetails;
            details.Extensions.Remove("traceId");
            details.Extensions.Remove("requestId");
            if (details.Extensions.ContainsKey("code"))
            {
                return;
            }

            var code = details.Status switch
            {
                404 => "not-found",
                405 => "method-not-allowed",
                413 => "body-too-large",
                429 => "rate-limited",
                >= 500 => "internal",
                _ => "bad-request",
            };
            details.Type = TypeOf(code);
            details.Extensions["code"] = code;
            details.Detail = null;
        });
        services.AddExceptionHandler<Problems>();
    }

    /// <summary>Writes a problem for <paramref name="problem"/>.</summary>
    public static ProblemDetails ToDetails(ServerProblemException problem)
    {
        ArgumentNullException.ThrowIfNull(problem);
        var details = new ProblemDetails { Type = TypeOf(problem.Code), Title = problem.Message, Status = problem.Status };
        details.Extensions["code"] = problem.Code;
        if (problem.Field is not null)
        {
            details.Extensions["field"] = problem.Field;
        }

        if (problem.Found is not null)
        {
            details.Extensions["found"] = problem.Found;
        }

        if (problem.Expected is not null)
        {
            details.Extensions["expected"] = problem.Expected;
        }

        return details;
    }

    /// <inheritdoc />
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        var problem = exception switch
        {
            ServerProblemException p => p,
            BadHttpRequestException b when b.StatusCode == StatusCodes.Status413PayloadTooLarge => new ServerProblemException(413, "body-too-large", "request body too large"),
            BadHttpRequestException => new ServerProblemException(400, "bad-request", "bad request"),
            OperationCanceledException when httpContext.RequestAborted.IsCancellationRequested => null,
            _ => null,
        };

        if (problem is null)
        {
            // Unexpected: log the exception type only (its message could quote input), answer a bare 500.
            LogUnexpected(logger, exception.GetType().FullName ?? "exception");
            problem = new ServerProblemException(500, "internal", "internal error");
        }

        httpContext.Response.StatusCode = problem.Status;
        return await problemDetails.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            ProblemDetails = ToDetails(problem),
            Exception = null,
        }).ConfigureAwait(false);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "unexpected {Type} while answering a request")]
    private static partial void LogUnexpected(ILogger logger, string type);
}

/// <summary>Reads a request body up to a route's limit.</summary>
public static class Body
{
    /// <summary>The body, or a 413 problem when it is longer than <paramref name="limit"/>.</summary>
    public static async Task<ReadOnlyMemory<byte>> ReadAsync(HttpRequest request, long limit)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.ContentLength > limit)
        {
            throw new ServerProblemException(413, "body-too-large", "request body too large", "body", request.ContentLength.Value, limit);
        }

        var feature = request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (feature is { IsReadOnly: false })
        {
            feature.MaxRequestBodySize = limit + 1;
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, request.HttpContext.RequestAborted).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                throw new ServerProblemException(413, "body-too-large", "request body too large", "body", buffer.Length + read, limit);
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }
}
