"""The plain pipeline bench compares against: llama-index VectorStoreIndex over FAISS, top-k, nothing else."""
from __future__ import annotations

from typing import Any

from .embed import Embedder
from .types import Chunk


def _embedding_adapter(embedder: Embedder):
    """Our Embedder as a llama-index BaseEmbedding (so no default OpenAI model is ever built)."""
    from llama_index.core.embeddings import BaseEmbedding
    from pydantic import PrivateAttr

    class Adapter(BaseEmbedding):
        _embedder: Any = PrivateAttr()

        def __init__(self, inner: Embedder) -> None:
            super().__init__(model_name=inner.name, embed_batch_size=64)
            self._embedder = inner

        def _get_query_embedding(self, query: str) -> list[float]:
            return self._embedder.embed_queries([query])[0].tolist()

        async def _aget_query_embedding(self, query: str) -> list[float]:
            return self._get_query_embedding(query)

        def _get_text_embedding(self, text: str) -> list[float]:
            return self._embedder.embed_passages([text])[0].tolist()

        def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
            return self._embedder.embed_passages(texts).tolist()

    return Adapter(embedder)


class PlainRetriever:
    """llama-index's VectorStoreIndex over a FAISS IndexFlatIP: top-k by cosine, no keywords, no rerank."""

    def __init__(self, chunks: list[Chunk], embedder: Embedder, k: int = 5) -> None:
        import faiss
        from llama_index.core import StorageContext, VectorStoreIndex
        from llama_index.core.schema import TextNode
        from llama_index.vector_stores.faiss import FaissVectorStore

        self._chunks = {chunk.chunk_id: chunk for chunk in chunks}
        store = FaissVectorStore(faiss_index=faiss.IndexFlatIP(embedder.dim))
        nodes = [TextNode(id_=chunk.chunk_id, text=chunk.text) for chunk in chunks]
        index = VectorStoreIndex(
            nodes, storage_context=StorageContext.from_defaults(vector_store=store),
            embed_model=_embedding_adapter(embedder), show_progress=False,
        )
        self._retriever = index.as_retriever(similarity_top_k=k)

    def retrieve(self, question: str) -> list[Chunk]:
        """The top-k passages for the question, best first."""
        return [self._chunks[result.node.node_id] for result in self._retriever.retrieve(question)]
