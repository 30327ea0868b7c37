#!/usr/bin/env python3
"""Runs run_chunks.py (the official runner, same patches) and additionally saves, for every call, what the
denoising UNet got and what the VAE decoded, so a difference in the output frames can be placed before or
after the decode (port-notes section 11, call 0's output frames):

  first/cNN_window_in.npy   latents_model_input (1,4,16,h,w) handed to the denoising UNet
  first/cNN_noise_pred.npy  its output (1,4,16,h,w)
  first/cNN_decoded_in.npy  the latents the VAE decoded (4,4,h,w), already divided by 0.18215
  first/cNN_pose_in.npy, first/cNN_motion_in.npy   pose_cond_fea and the motion states of the UNet call
  first/ref_image_tensor.npy, first/ref_image_latents.npy   the portrait's VAE input and its latents (x 0.18215)
Usage: as run_chunks.py, e.g. --work DIR --chunks 2 --size 128
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import official_env  # noqa: E402
import run_chunks  # noqa: E402


def main():
    work = os.path.abspath(sys.argv[sys.argv.index("--work") + 1])
    out = os.path.join(work, "first")
    os.makedirs(out, exist_ok=True)
    state = {"call": 0}
    activate = official_env.activate

    def patched_activate():
        root = activate()
        sys.path.insert(0, root)
        from src.models.unet_3d import UNet3DConditionModel
        from diffusers import AutoencoderKL
        import src.wrapper as wrapper
        forward = UNet3DConditionModel.forward

        def unet_forward(self, sample, timestep, encoder_hidden_states=None, pose_cond_fea=None, **k):
            r = forward(self, sample, timestep, encoder_hidden_states=encoder_hidden_states,
                        pose_cond_fea=pose_cond_fea, **k)
            c = state["call"]
            np.save(os.path.join(out, f"c{c:02d}_window_in.npy"), sample.detach().numpy())
            np.save(os.path.join(out, f"c{c:02d}_noise_pred.npy"), r[0].detach().numpy())
            np.save(os.path.join(out, f"c{c:02d}_pose_in.npy"), pose_cond_fea.detach().numpy())
            np.save(os.path.join(out, f"c{c:02d}_motion_in.npy"), encoder_hidden_states[1].detach().numpy())
            return r
        UNet3DConditionModel.forward = unet_forward
        decode = AutoencoderKL.decode

        def vae_decode(self, z, *a, **k):
            np.save(os.path.join(out, f"c{state['call']:02d}_decoded_in.npy"), z.detach().numpy())
            return decode(self, z, *a, **k)
        AutoencoderKL.decode = vae_decode
        process = wrapper.PersonaLive.process_input

        def process_input(self, images):
            try:
                return process(self, images)
            finally:
                state["call"] += 1
        wrapper.PersonaLive.process_input = process_input
        fuse = wrapper.PersonaLive.fuse_reference

        def fuse_reference(self, image):
            fuse(self, image)
            np.save(os.path.join(out, "ref_image_tensor.npy"), self.ref_image_tensor.numpy())
            np.save(os.path.join(out, "ref_image_latents.npy"), self.ref_image_latents.numpy())
        wrapper.PersonaLive.fuse_reference = fuse_reference
        return root
    official_env.activate = patched_activate
    run_chunks.main()


if __name__ == "__main__":
    main()
