using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Privomega.Protocol.Api;
using Privomega.Protocol.Formats;
using Privomega.Protocol.Primitives;
using Privomega.Protocol.Tokens;

namespace Privomega.Client.Transport;

/// <summary>
/// <see cref="IPrivomegaServer"/> over the v1 HTTP API (docs/http-api.md): octet-stream bodies in the
/// Protocol's codecs, RFC 9457 problems turned into <see cref="ServerRejectedException"/>, transport
/// failures into <see cref="ServerUnavailableException"/>. Every response is size-bounded and decoded
/// with the typed decoders before anything reads it.
/// </summary>
public sealed class HttpPrivomegaServer : IPrivomegaServer, IDisposable
{
    private const int MaxSmallResponse = 1 << 20;
    private const int MaxPirResponse = 64 << 20;
    private static readonly MediaTypeHeaderValue OctetStream = new("application/octet-stream");

    private readonly HttpClient _http;
    private readonly bool _ownsClient;

    /// <summary>Creates a transport for <paramref name="baseAddress"/> (e.g. <c>http://127.0.0.1:5000/</c>).</summary>
    public HttpPrivomegaServer(Uri baseAddress, HttpClient? http = null)
    {
        ArgumentNullException.ThrowIfNull(baseAddress);
        _ownsClient = http is null;
        _http = http ?? new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        BaseAddress = baseAddress.AbsoluteUri.EndsWith('/') ? baseAddress : new Uri(baseAddress.AbsoluteUri + "/");
    }

    /// <summary>The server's base address.</summary>
    public Uri BaseAddress { get; }

    /// <inheritdoc />
    public string Name => BaseAddress.GetLeftPart(UriPartial.Authority);

    /// <inheritdoc />
    public async Task<ServerInfo> GetInfoAsync(CancellationToken cancellationToken) =>
        Decode<ServerInfo>(await GetAsync("v1/info", cancellationToken).ConfigureAwait(false), "server info", ServerInfo.TryDecode);

    /// <inheritdoc />
    public async Task<Certificate> RegisterAsync(Ed25519PublicKey vrfKey, X25519PublicKey dhKey, ulong powNonce, int difficulty, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(vrfKey);
        ArgumentNullException.ThrowIfNull(dhKey);
        var body = new RegisterRequest(vrfKey.Export(), dhKey.Export(), (byte)difficulty, powNonce).Encode();
        var bytes = await SendAsync(HttpMethod.Post, "v1/register", body, MaxSmallResponse, cancellationToken).ConfigureAwait(false);
        return Decode<Certificate>(bytes!, "certificate", Certificate.TryDecode);
    }

    /// <inheritdoc />
    public async Task<EpochHead?> GetHeadAsync(ulong? epoch, CancellationToken cancellationToken)
    {
        var bytes = await GetOrNullAsync(epoch is { } t ? $"v1/heads/{t}" : "v1/heads/latest", cancellationToken).ConfigureAwait(false);
        return bytes is null ? null : Decode<EpochHead>(bytes, "epoch head", EpochHead.TryDecode);
    }

    /// <inheritdoc />
    public async Task<byte[]> GetLogConsistencyAsync(ulong fromEpoch, ulong toEpoch, CancellationToken cancellationToken)
    {
        var bytes = await GetAsync(string.Create(CultureInfo.InvariantCulture, $"v1/heads/consistency?from={fromEpoch}&to={toEpoch}"), cancellationToken).ConfigureAwait(false);
        return Decode<MerkleProofMessage>(bytes, "consistency proof", MerkleProofMessage.TryDecode).Path.ToArray();
    }

    /// <inheritdoc />
    public async Task<MailHead?> GetMailHeadAsync(ulong? mailEpoch, CancellationToken cancellationToken)
    {
        var bytes = await GetOrNullAsync(mailEpoch is { } m ? $"v1/mail-heads/{m}" : "v1/mail-heads/latest", cancellationToken).ConfigureAwait(false);
        return bytes is null ? null : Decode<MailHead>(bytes, "mail head", MailHead.TryDecode);
    }

    /// <inheritdoc />
    public async Task<Membership?> GetMembershipAsync(ulong epoch, Certificate certificate, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        var body = new InclusionRequest(epoch, certificate.Encode()).Encode();
        var bytes = await SendAsync(HttpMethod.Post, "v1/directory/inclusion", body, MaxSmallResponse, cancellationToken, nullOn404: true).ConfigureAwait(false);
        if (bytes is null)
        {
            return null;
        }

        var proof = Decode<MerkleProofMessage>(bytes, "inclusion proof", MerkleProofMessage.TryDecode);
        if (proof.A != epoch || proof.B > long.MaxValue)
        {
            throw new ServerRejectedException($"The inclusion proof is for epoch {proof.A}, index {proof.B}; asked for epoch {epoch}.");
        }

        return new Membership(proof.A, (long)proof.B, proof.Path.ToArray());
    }

    /// <inheritdoc />
    public async Task<PirConfig> GetPirConfigAsync(PirDatabaseKind database, CancellationToken cancellationToken) =>
        Decode<PirConfig>(await GetAsync($"v1/pir/{DatabaseName(database)}/config", cancellationToken).ConfigureAwait(false), "PIR config", PirConfig.TryDecode);

    /// <inheritdoc />
    public async Task<IReadOnlyList<byte[]>> AnswerAsync(PirDatabaseKind database, ulong snapshot, PirBatchRequest batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var scheme = batch.Scheme switch
        {
            Privomega.Pir.Engine.PirSchemeKind.XorBitVector => "xor",
            Privomega.Pir.Engine.PirSchemeKind.XorDpf => "dpf",
            Privomega.Pir.Engine.PirSchemeKind.Lattice => "lattice",
            _ => throw new ArgumentOutOfRangeException(nameof(batch), batch.Scheme, "Expected xor, dpf or lattice."),
        };
        var bytes = await SendAsync(HttpMethod.Post, string.Create(CultureInfo.InvariantCulture, $"v1/pir/{DatabaseName(database)}/{snapshot}/{scheme}"), batch.Encode(), MaxPirResponse, cancellationToken).ConfigureAwait(false);
        var response = Decode<PirBatchResponse>(bytes!, "PIR answers", PirBatchResponse.TryDecode);
        if (response.Scheme != batch.Scheme || response.SnapshotId != snapshot || response.Answers.Count != batch.Queries.Count)
        {
            throw new ServerRejectedException($"PIR answers for scheme {response.Scheme}, snapshot {response.SnapshotId}, {response.Answers.Count} answers; asked {batch.Scheme}, {snapshot}, {batch.Queries.Count}.");
        }

        return response.Answers.Select(a => a.ToArray()).ToArray();
    }

    /// <inheritdoc />
    public async Task<byte[]> UploadEvaluationKeysAsync(EvalKeyUpload upload, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(upload);
        var bytes = await SendAsync(HttpMethod.Put, "v1/eval-keys", upload.Encode(), MaxSmallResponse, cancellationToken).ConfigureAwait(false);
        var receipt = Decode<EvalKeyReceipt>(bytes!, "evaluation key receipt", EvalKeyReceipt.TryDecode);
        return receipt.KeyId.ToArray();
    }

    /// <inheritdoc />
    public Task PostMatchRequestAsync(ulong epoch, ReadOnlyMemory<byte> sealedRequest, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, string.Create(CultureInfo.InvariantCulture, $"v1/queue/{epoch}"), sealedRequest.ToArray(), MaxSmallResponse, cancellationToken);

    /// <inheritdoc />
    public async Task<QueuePage> PollMatchQueueAsync(ulong epoch, long cursor, CancellationToken cancellationToken)
    {
        var bytes = await GetAsync(string.Create(CultureInfo.InvariantCulture, $"v1/queue/{epoch}?after={cursor}&max=256"), cancellationToken).ConfigureAwait(false);
        if (!FixedList.TryDecode(bytes, MatchmakingRequest.SealedSize, 256, out var list, out var error))
        {
            throw new ServerRejectedException($"The queue page does not decode: {error}.");
        }

        return new QueuePage(list.Items, (long)Math.Min(list.Header, long.MaxValue));
    }

    /// <inheritdoc />
    public async Task<ulong> PutMailAsync(ReadOnlyMemory<byte> mailboxId, ReadOnlyMemory<byte> token, ReadOnlyMemory<byte> ciphertext, CancellationToken cancellationToken)
    {
        var bytes = await SendAsync(HttpMethod.Post, "v1/mail", new MailPut(mailboxId, token, ciphertext).Encode(), MaxSmallResponse, cancellationToken).ConfigureAwait(false);
        return ApiNumber.TryDecode(bytes, out var mailEpoch, out var error) ? mailEpoch : throw new ServerRejectedException($"The mail receipt does not decode: {error}.");
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<TokenPublicKey>> GetTokenKeysAsync(CancellationToken cancellationToken)
    {
        var bytes = await GetAsync("v1/tokens/keys", cancellationToken).ConfigureAwait(false);
        return TokenKeyList.TryDecode(bytes, out var keys, out var error) ? keys : throw new ServerRejectedException($"The token keys do not decode: {error}.");
    }

    /// <inheritdoc />
    public async Task<byte[]> IssueTokensAsync(TokenIssueRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return (await SendAsync(HttpMethod.Post, "v1/tokens/issue", request.Encode(), MaxSmallResponse, cancellationToken).ConfigureAwait(false))!;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_ownsClient)
        {
            _http.Dispose();
        }
    }

    private delegate bool TryDecoder<T>(ReadOnlySpan<byte> bytes, out T? value, out ProtocolDecodeError error);

    private static T Decode<T>(byte[] bytes, string what, TryDecoder<T> decoder)
        where T : class =>
        decoder(bytes, out var value, out var error) && value is not null ? value : throw new ServerRejectedException($"The server's {what} does not decode: {error}.");

    private static string DatabaseName(PirDatabaseKind database) => database switch
    {
        PirDatabaseKind.Directory => "directory",
        PirDatabaseKind.Mailbox => "mailbox",
        _ => throw new ArgumentOutOfRangeException(nameof(database), database, "Expected directory or mailbox."),
    };

    private async Task<byte[]> GetAsync(string path, CancellationToken cancellationToken) =>
        (await SendAsync(HttpMethod.Get, path, null, MaxPirResponse, cancellationToken).ConfigureAwait(false))!;

    private Task<byte[]?> GetOrNullAsync(string path, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, path, null, MaxSmallResponse, cancellationToken, nullOn404: true, nullOn503: true);

    private async Task<byte[]?> SendAsync(HttpMethod method, string path, byte[]? body, int maxResponse, CancellationToken cancellationToken, bool nullOn404 = false, bool nullOn503 = false)
    {
        using var request = new HttpRequestMessage(method, new Uri(BaseAddress, path));
        if (body is not null)
        {
            request.Content = new ByteArrayContent(body);
            request.Content.Headers.ContentType = OctetStream;
        }

        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw new ServerUnavailableException($"{Name} cannot be reached ({e.HttpRequestError}).", e);
        }
        catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new ServerUnavailableException($"{Name} did not answer within {_http.Timeout.TotalSeconds:F0} s.", e);
        }

        using (response)
        {
            if ((nullOn404 && response.StatusCode == HttpStatusCode.NotFound) || (nullOn503 && response.StatusCode == HttpStatusCode.ServiceUnavailable))
            {
                return null;
            }

            var bytes = await ReadBoundedAsync(response.Content, maxResponse, cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                throw Problem((int)response.StatusCode, bytes);
            }

            return bytes;
        }
    }

    private async Task<byte[]> ReadBoundedAsync(HttpContent content, int maxBytes, CancellationToken cancellationToken)
    {
        if (content.Headers.ContentLength > maxBytes)
        {
            throw new ServerRejectedException($"{Name} sent {content.Headers.ContentLength} bytes; at most {maxBytes} are read.");
        }

        using var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > maxBytes)
            {
                throw new ServerRejectedException($"{Name} sent more than {maxBytes} bytes.");
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    private static ServerRejectedException Problem(int status, byte[] body)
    {
        string title = "request refused";
        string? detail = null;
        try
        {
            using var json = JsonDocument.Parse(body);
            var root = json.RootElement;
            if (root.TryGetProperty("title", out var t) && t.ValueKind == JsonValueKind.String)
            {
                title = t.GetString()!;
            }

            var parts = new List<string>();
            foreach (var name in new[] { "code", "detail", "field", "found", "expected" })
            {
                if (root.TryGetProperty(name, out var v) && v.ValueKind is JsonValueKind.String or JsonValueKind.Number)
                {
                    parts.Add($"{name}={v}");
                }
            }

            detail = parts.Count == 0 ? null : string.Join(", ", parts);
        }
        catch (JsonException)
        {
            // Not a problem document; the status alone says enough.
        }

        return new ServerRejectedException(status, title, detail);
    }
}
