using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using Privomega.Pir.Engine;
using Privomega.Protocol.Api;
using Privomega.Protocol.Formats;
using Privomega.Protocol.Primitives;
using Privomega.Protocol.Tokens;

namespace Privomega.Server.Tests.Http;

/// <summary>A user of the HTTP API as docs/http-api.md describes it (the tests' stand-in for the client library).</summary>
public sealed class ApiDriver(HttpClient primary, HttpClient replica) : IDisposable
{
    private readonly Queue<byte[]> _tokens = new();

    public Ed25519KeyPair VrfKey { get; } = Ed25519KeyPair.Generate();

    public X25519KeyPair DhKey { get; } = X25519KeyPair.Generate();

    public Certificate? Certificate { get; private set; }

    public static ByteArrayContent Octets(byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        return content;
    }

    public static async Task<byte[]> ExpectAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var body = await response.Content.ReadAsByteArrayAsync();
        Assert.True(response.StatusCode == status, $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri?.AbsolutePath}: {(int)response.StatusCode} {System.Text.Encoding.UTF8.GetString(body)}");
        return body;
    }

    public async Task<ServerInfo> InfoAsync(HttpClient? server = null) => ServerInfo.Decode(await (server ?? primary).GetByteArrayAsync("/v1/info"));

    public RegisterRequest RegisterRequest(int difficulty)
    {
        var nonce = ProofOfWork.Mint(VrfKey.PublicKey, DhKey.PublicKey, difficulty);
        return new RegisterRequest(VrfKey.PublicKey.Export(), DhKey.PublicKey.Export(), (byte)difficulty, nonce);
    }

    public async Task<Certificate> RegisterAsync()
    {
        var info = await InfoAsync();
        var body = await ExpectAsync(await primary.PostAsync("/v1/register", Octets(RegisterRequest(info.PowDifficulty).Encode())), HttpStatusCode.Created);
        Certificate = Certificate.Decode(body);
        return Certificate;
    }

    public async Task<byte[]> TokenIssueBodyAsync(int count)
    {
        var (client, request, blinding) = await TokenRequestAsync(count);
        blinding.Dispose();
        _ = client;
        return TokenIssueRequest.Create(Certificate!, VrfKey, request).Encode();
    }

    public async Task FetchTokensAsync(int count)
    {
        var (client, request, blinding) = await TokenRequestAsync(count);
        using (blinding)
        {
            var body = TokenIssueRequest.Create(Certificate!, VrfKey, request).Encode();
            var answer = await ExpectAsync(await primary.PostAsync("/v1/tokens/issue", Octets(body)), HttpStatusCode.OK);
            Assert.True(client.TryFinalize(blinding, answer, out var tokens, out var error), error.ToString());
            foreach (var token in tokens)
            {
                _tokens.Enqueue(token.Encode());
            }
        }
    }

    public byte[] NextToken() => _tokens.Dequeue();

    public static byte[] MailboxId() => RandomNumberGenerator.GetBytes(MailPut.MailboxIdSize);

    public async Task<HttpResponseMessage> PutMailAsync(byte[] mailboxId, byte[] token, byte[] ciphertext) =>
        await primary.PostAsync("/v1/mail", Octets(new MailPut(mailboxId, token, ciphertext).Encode()));

    /// <summary>Reads one record privately: one DPF key to each server, the answers XORed.</summary>
    public async Task<byte[]> ReadAsync(PirDatabaseKind database, ulong snapshot, long recordCount, int recordBytes, long index, byte[]? primaryToken)
    {
        var client = new DpfPirClient(recordCount, recordBytes);
        var queries = client.Query(index);
        var name = database == PirDatabaseKind.Directory ? "directory" : "mailbox";
        var answers = new PirAnswer[2];
        HttpClient[] servers = [primary, replica];
        for (var s = 0; s < 2; s++)
        {
            var batch = new PirBatchRequest(PirSchemeKind.XorDpf, new byte[16], s == 0 ? primaryToken ?? [] : [], [queries[s].Encode()]);
            var body = await ExpectAsync(await servers[s].PostAsync($"/v1/pir/{name}/{snapshot}/dpf", Octets(batch.Encode())), HttpStatusCode.OK);
            Assert.True(PirBatchResponse.TryDecode(body, out var response, out var error), error.ToString());
            answers[s] = XorAnswer.Decode(response.Answers[0].Span, recordBytes, PirSchemeKind.XorDpf);
        }

        foreach (var q in queries)
        {
            (q as IDisposable)?.Dispose();
        }

        return client.Recover(index, answers);
    }

    public void Dispose()
    {
        VrfKey.Dispose();
        DhKey.Dispose();
    }

    private async Task<(TokenClient Client, byte[] Request, TokenBlinding Blinding)> TokenRequestAsync(int count)
    {
        Assert.True(TokenKeyList.TryDecode(await primary.GetByteArrayAsync("/v1/tokens/keys"), out var keys, out _));
        Assert.True(TokenClient.TryCreate(keys[0], out var client));
        var request = client.CreateRequest(count, out var blinding);
        return (client, request, blinding);
    }
}
