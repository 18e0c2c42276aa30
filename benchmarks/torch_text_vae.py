"""The PyTorch reference step for `step_time.py`: He et al.'s text VAE
(jxhe/vae-lagging-encoder, `modules/encoders/enc_lstm.py` and
`modules/decoders/dec_lstm.py`) at a given size, trained as `text.py` does
(SGD, cross-entropy summed over words, KL, gradients clipped at norm 5).

Needs the optional extra `bench` (torch): `pip install -e '.[bench]'`. Only
the benchmark imports this file; nothing in the package or the tests does.
"""


def reference_step(vocab, embedding, hidden, latent, threads=2):
    """The reference text VAE's training step: a function of one batch (an
    int array [B, T]: <s> ... </s>, no padding) that `step_time.timed`
    times."""
    import torch
    from torch import nn

    torch.set_num_threads(threads)
    torch.manual_seed(0)

    class Encoder(nn.Module):
        def __init__(self):
            super().__init__()
            self.embed = nn.Embedding(vocab, embedding)
            self.lstm = nn.LSTM(embedding, hidden, batch_first=True)
            self.linear = nn.Linear(hidden, 2 * latent, bias=False)

        def forward(self, x):
            _, (h, _) = self.lstm(self.embed(x))
            return self.linear(h[-1]).chunk(2, -1)

    class Decoder(nn.Module):
        def __init__(self):
            super().__init__()
            self.embed = nn.Embedding(vocab, embedding, padding_idx=0)
            self.dropout_in = nn.Dropout(0.5)
            self.dropout_out = nn.Dropout(0.5)
            self.trans_linear = nn.Linear(latent, hidden, bias=False)
            self.lstm = nn.LSTM(embedding + latent, hidden, batch_first=True)
            self.pred_linear = nn.Linear(hidden, vocab, bias=False)

        def forward(self, x, z):
            words = self.dropout_in(self.embed(x))
            steps = words.size(1)
            inputs = torch.cat([words, z.unsqueeze(1).expand(-1, steps, -1)], -1)
            c0 = self.trans_linear(z).unsqueeze(0)
            out, _ = self.lstm(inputs, (torch.tanh(c0), c0))
            return self.pred_linear(self.dropout_out(out))

    encoder, decoder = Encoder(), Decoder()
    parameters = list(encoder.parameters()) + list(decoder.parameters())
    optimizer = torch.optim.SGD(parameters, lr=1.0)
    loss_fn = nn.CrossEntropyLoss(reduction="none", ignore_index=0)

    def step(batch):
        x = torch.as_tensor(batch, dtype=torch.long)
        mu, logvar = encoder(x)
        z = mu + torch.randn_like(mu) * torch.exp(0.5 * logvar)
        logits = decoder(x[:, :-1], z)
        rec = loss_fn(logits.reshape(-1, vocab), x[:, 1:].reshape(-1))
        rec = rec.view(x.size(0), -1).sum(-1)
        kl = 0.5 * (mu.pow(2) + logvar.exp() - logvar - 1).sum(-1)
        loss = (rec + kl).mean()
        optimizer.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(parameters, 5.0)
        optimizer.step()

    encoder.train()
    decoder.train()
    return step


def available():
    """Whether torch is installed (the optional extra `bench`)."""
    try:
        import torch  # noqa: F401
    except ImportError:
        return False
    return True
