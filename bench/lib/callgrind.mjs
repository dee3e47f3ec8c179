export async function callgrind() { throw new Error("todo"); }
