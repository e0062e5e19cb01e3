export async function main() {
  throw new Error("check benchmark: see below");
}
